import { timeZoneOption } from '../../../views/create-modal-inputs.js';
import type { OptionsArgs } from '../types.js';

/** Slack shows at most 100 options. */
const MAX_OPTIONS = 100;

/** The modal's time-zone search over every IANA zone Node knows, UTC first. */
export function timeZoneOptions() {
  const zones = ['UTC', ...Intl.supportedValuesOf('timeZone')];
  return async ({ ack, options }: OptionsArgs) => {
    const query = (options.value ?? '').toLowerCase();
    const found = zones.filter((z) => z.toLowerCase().includes(query)).slice(0, MAX_OPTIONS);
    await ack({ options: found.map(timeZoneOption) });
  };
}
