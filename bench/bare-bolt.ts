/**
 * The baseline of `npm run bench:ack`: a bare Bolt app as its docs start one — HTTPReceiver on
 * /slack/events, Bolt's own logger at its default level — whose /pipeline-schedule listener only
 * acknowledges. Run as its own process, like the service:
 *
 *   SLACK_SIGNING_SECRET=… SLACK_BOT_TOKEN=xoxb-… [SLACK_API_URL=…] PORT=… tsx bench/bare-bolt.ts
 */
import { App, HTTPReceiver } from '@slack/bolt';

const signingSecret = process.env.SLACK_SIGNING_SECRET;
const token = process.env.SLACK_BOT_TOKEN;
if (!signingSecret || !token) throw new Error('set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN');

const receiver = new HTTPReceiver({ signingSecret, endpoints: '/slack/events' });
const app = new App({
  token,
  receiver,
  ...(process.env.SLACK_API_URL
    ? { clientOptions: { slackApiUrl: process.env.SLACK_API_URL } }
    : {}),
});
app.command('/pipeline-schedule', async ({ ack }) => {
  await ack();
});

const port = Number(process.env.PORT ?? 3000);
await app.start(port);
app.logger.info(`bare Bolt app listening on ${port}`);

const stop = () => {
  void app.stop().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
