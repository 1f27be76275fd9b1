/**
 * Who someone is, for the policy: their Slack user id and the user groups they belong to.
 * Slack answers from usergroups.users.list (cached briefly); the terminal and CLI use the
 * identities given in configuration.
 */
export interface Identity {
  userId: string;
  groupIds: string[];
}

export interface IdentityPort {
  identify(userId: string): Promise<Identity>;
}

/** Identities from configuration: `U0ALICE:S0ML+S0PLATFORM,U0LEAD1:S0APPROVERS`. */
export class ConfiguredIdentities implements IdentityPort {
  private readonly groups = new Map<string, string[]>();
  private readonly names = new Map<string, string>();

  constructor(spec: string | undefined) {
    for (const entry of (spec ?? '')
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean)) {
      const [person = '', groups = ''] = entry.split(':');
      const [user = '', name] = person.split('=');
      if (name?.trim()) this.names.set(user, name.trim());
      this.groups.set(
        user,
        groups
          .split('+')
          .map((g) => g.trim())
          .filter(Boolean),
      );
    }
  }

  async identify(userId: string): Promise<Identity> {
    return { userId, groupIds: this.groups.get(userId) ?? [] };
  }

  /** The name LOCAL_IDENTITIES gives this person, for the terminal to show in place of the id. */
  nameOf(userId: string): string | undefined {
    return this.names.get(userId);
  }
}

/** Reads a user group's members; the Slack adapter implements it with usergroups.users.list. */
export interface UserGroupDirectory {
  members(groupId: string): Promise<string[]>;
}

/**
 * Group membership from a directory, with a short cache: approvals re-check membership at the
 * moment of the decision, so a stale answer must not live long.
 */
export class DirectoryIdentities implements IdentityPort {
  private readonly cache = new Map<string, { at: number; members: Set<string> }>();

  constructor(
    private readonly directory: UserGroupDirectory,
    /** The groups the policy mentions: only those matter. */
    private readonly groupIds: () => string[],
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async identify(userId: string): Promise<Identity> {
    const groupIds: string[] = [];
    for (const groupId of this.groupIds()) {
      if ((await this.membersOf(groupId)).has(userId)) groupIds.push(groupId);
    }
    return { userId, groupIds };
  }

  private async membersOf(groupId: string): Promise<Set<string>> {
    const cached = this.cache.get(groupId);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.members;
    const members = new Set(await this.directory.members(groupId));
    this.cache.set(groupId, { at: this.now(), members });
    return members;
  }
}
