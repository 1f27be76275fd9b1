import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

/**
 * manifest.yml against what the code needs: the slash command, every scope the Web API calls
 * need, the events the app listens to, and one request URL (Bolt's /slack/events) for all.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const text = readFileSync(join(root, 'manifest.yml'), 'utf8');
// The fields the tests read, typed; loose objects keep every other key, which the first test
// checks against the manifest schema's allowed keys.
const slashCommand = z.looseObject({
  command: z.string(),
  url: z.string(),
  description: z.string(),
  usage_hint: z.string(),
});
const manifest = z
  .looseObject({
    _metadata: z.unknown(),
    display_information: z.looseObject({
      name: z.string(),
      description: z.string(),
      background_color: z.string(),
    }),
    features: z.looseObject({
      app_home: z.looseObject({ home_tab_enabled: z.boolean() }),
      bot_user: z.looseObject({ display_name: z.string() }),
      slash_commands: z.array(slashCommand),
    }),
    oauth_config: z.looseObject({
      scopes: z.looseObject({ bot: z.array(z.string()), user: z.array(z.string()).optional() }),
    }),
    settings: z.looseObject({
      event_subscriptions: z.looseObject({ bot_events: z.array(z.string()) }),
      interactivity: z.unknown(),
      socket_mode_enabled: z.boolean(),
      org_deploy_enabled: z.boolean(),
    }),
  })
  .parse(parse(text));

/** The scopes the bot needs, each with what needs it. */
const neededScopes: Record<string, string> = {
  commands: 'the /pipeline-schedule slash command (app.command in src/bot/slack/app.ts)',
  'chat:write': 'approval messages and their updates (chat.postMessage, chat.update)',
  'chat:write.public':
    "posting a request in the policy's approvals.channel, which the bot has not joined",
  'im:write': 'conversations.open, to tell a requester in a DM that their request was decided',
  'usergroups:read':
    'usergroups.users.list: roles that name user groups (src/bot/slack/user-groups.ts)',
  'users:read': "users.info: a person's time zone for next runs and the create modal's default",
  'channels:history':
    'conversations.history: after a crash, finding an execution message already posted (public channels)',
  'groups:history': 'conversations.history, in private channels',
};

/**
 * The scope each Web API method the code may call needs (null: none beyond the bot token).
 * A call to a method missing here fails the test: add it, and its scope to the manifest.
 */
const methodScopes: Record<string, string | null> = {
  'auth.test': null,
  'chat.postMessage': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'chat.update': 'chat:write',
  'chat.delete': 'chat:write',
  'conversations.open': 'im:write',
  'conversations.history': 'channels:history',
  'usergroups.list': 'usergroups:read',
  'usergroups.users.list': 'usergroups:read',
  'users.info': 'users:read',
  'views.open': null,
  'views.push': null,
  'views.update': null,
  'views.publish': null,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const sources = sourceFiles(join(root, 'src')).map((path) => ({
  path: path.slice(root.length),
  text: readFileSync(path, 'utf8'),
}));

/** `client.chat.postMessage(` and the like, anywhere in src/. */
function webApiCalls(): Array<{ method: string; path: string }> {
  return sources.flatMap(({ path, text: source }) =>
    [...source.matchAll(/\bclient\s*\.\s*([a-z]+(?:\.[a-zA-Z]+)+)\s*\(/g)].map((m) => ({
      method: m[1] ?? '',
      path,
    })),
  );
}

describe('manifest.yml', () => {
  it('targets manifest schema v2 and uses only the keys Slack knows', () => {
    expect(manifest._metadata).toEqual({ major_version: 2, minor_version: 1 });
    // The manifest schema forbids unknown keys at every level (additionalProperties: false).
    const allowed: Record<string, string[]> = {
      '': ['_metadata', 'display_information', 'features', 'oauth_config', 'settings'],
      display_information: ['name', 'description', 'background_color', 'long_description'],
      features: ['app_home', 'bot_user', 'slash_commands'],
      'features.app_home': [
        'home_tab_enabled',
        'messages_tab_enabled',
        'messages_tab_read_only_enabled',
      ],
      'features.bot_user': ['display_name', 'always_online'],
      oauth_config: ['scopes', 'redirect_urls', 'token_management_enabled'],
      'oauth_config.scopes': ['bot', 'user'],
      settings: [
        'event_subscriptions',
        'interactivity',
        'org_deploy_enabled',
        'socket_mode_enabled',
        'token_rotation_enabled',
      ],
      'settings.event_subscriptions': ['request_url', 'bot_events', 'user_events'],
      'settings.interactivity': ['is_enabled', 'request_url', 'message_menu_options_url'],
    };
    for (const [path, keys] of Object.entries(allowed)) {
      const node = path
        .split('.')
        .filter(Boolean)
        .reduce<unknown>((n, k) => (n as Record<string, unknown> | undefined)?.[k], manifest);
      const unknown = Object.keys(node ?? {}).filter((key) => !keys.includes(key));
      expect(unknown, `unknown keys in ${path || 'the top level'}`).toEqual([]);
    }
    const commandKeys = ['command', 'url', 'description', 'usage_hint', 'should_escape'];
    for (const command of manifest.features.slash_commands)
      expect(Object.keys(command).filter((key) => !commandKeys.includes(key))).toEqual([]);
  });

  it('stays within the manifest schema’s limits', () => {
    const info = manifest.display_information;
    expect(info.name.length).toBeLessThanOrEqual(35);
    expect(info.description.length).toBeLessThanOrEqual(140);
    expect(info.background_color).toMatch(/^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/);
    expect(manifest.features.bot_user.display_name).toMatch(/^[a-z0-9._-]{1,80}$/);
    for (const command of manifest.features.slash_commands) {
      expect(command.command.length).toBeLessThanOrEqual(32);
      expect(command.description.length).toBeLessThanOrEqual(2000);
      expect(command.usage_hint.length).toBeLessThanOrEqual(1000);
    }
  });

  it('declares the /pipeline-schedule slash command', () => {
    expect(manifest.features.slash_commands).toEqual([
      expect.objectContaining({
        command: '/pipeline-schedule',
        url: 'https://YOUR-PUBLIC-URL/slack/events',
        description: expect.any(String),
        usage_hint: expect.any(String),
      }),
    ]);
    // The code listens for the same name.
    expect(sources.some((s) => s.text.includes("'/pipeline-schedule'"))).toBe(true);
  });

  it('asks for every scope the code needs, and no other', () => {
    const scopes = manifest.oauth_config.scopes.bot;
    expect([...scopes].sort()).toEqual(Object.keys(neededScopes).sort());
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
  });

  it('has the scope of every Web API method the code calls', () => {
    const calls = webApiCalls();
    // The scan sees calls at all: the user-group directory has made one since the start.
    expect(calls).toContainEqual({
      method: 'usergroups.users.list',
      path: 'src/bot/slack/user-groups.ts',
    });
    const unknown = calls.filter((c) => !(c.method in methodScopes));
    expect(unknown, 'a Web API method with no known scope: add it to methodScopes').toEqual([]);
    const scopes = manifest.oauth_config.scopes.bot;
    for (const { method, path } of calls) {
      const scope = methodScopes[method];
      if (scope) expect(scopes, `${method} in ${path} needs ${scope}`).toContain(scope);
    }
  });

  it('sends every request to /slack/events', () => {
    const urls: string[] = [];
    const collect = (node: unknown): void => {
      if (typeof node === 'string' && /^https?:\/\//.test(node)) urls.push(node);
      else if (node && typeof node === 'object') Object.values(node).forEach(collect);
    };
    collect(manifest);
    expect(urls).toHaveLength(4);
    for (const url of urls) expect(url).toMatch(/^https:\/\/[^/]+\/slack\/events$/);
    expect(manifest.settings.interactivity).toEqual({
      is_enabled: true,
      request_url: 'https://YOUR-PUBLIC-URL/slack/events',
      message_menu_options_url: 'https://YOUR-PUBLIC-URL/slack/events',
    });
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(manifest.settings.org_deploy_enabled).toBe(false);
  });

  it('turns the Home tab on and subscribes to every event the code listens to', () => {
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    const events = manifest.settings.event_subscriptions.bot_events;
    expect(events).toContain('app_home_opened');
    const listened = sources.flatMap(({ text: source }) =>
      [...source.matchAll(/\bapp\.event\(\s*'([a-z_.]+)'/g)].map((m) => m[1]),
    );
    for (const event of listened) expect(events).toContain(event);
  });
});
