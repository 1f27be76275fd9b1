import type { WebClient } from '@slack/web-api';
import type { UserGroupDirectory } from '../../auth/identity.js';

/**
 * Slack user-group membership, from usergroups.users.list (scope usergroups:read). The policy
 * names groups by id (S…), so group membership follows the directory without touching the file.
 */
export class SlackUserGroups implements UserGroupDirectory {
  constructor(private readonly client: WebClient) {}

  async members(groupId: string): Promise<string[]> {
    const result = await this.client.usergroups.users.list({ usergroup: groupId });
    return result.users ?? [];
  }
}
