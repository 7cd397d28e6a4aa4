import type { Command } from 'commander';
import {
  DataDirLockedError, KeyAdminError, SERVICE_KEYS, configFromEnv, defaultRootDir, describeServiceKeys, initOperatorRoot, loadRoot, registerKey,
  revokeKey, rotateKey, serviceKey,
} from '@arbiter/runtime';
import { ROLES, Role } from '@arbiter/ledger';
import { CliError } from '../output';

const ROOT_HELP = `
How the root is held:
  The operator's root key signs every entry of chain "keys" and is the one thing auditors
  trust (audit verify --trust <root did:key>). It is held in an operator key directory, never
  in a service's data directory (the directory 0700, root.key 0600, root.did public):
  init-root creates it in --root-dir DIR, else $ARBITER_ROOT_DIR, else ~/.arbiter/root;
  register, revoke and rotate read it from --root-dir or $ARBITER_ROOT_DIR. Only they need it:
  keep it offline (an encrypted volume, a machine of its own) the rest of the time.

  Each service generates its own keys in <data>/keys (${SERVICE_KEYS.map((k) => k.name).join(', ')}) and never
  hands out their private halves; \`keys show\` prints their did:keys, \`keys register\` grants
  them roles, signed by the root. \`keys init-root --data DIR\` pins a data directory to the
  operator root: the service there refuses to start until its keys are registered.

  In the distributed mode the ledger is in EventStoreDB: with ESDB_CONNECTION_STRING set (or
  --esdb URL), show, register, revoke and rotate read and write chain keys there; the service's
  key store stays in its data directory.

  Development mode (nothing pinned; what npm start and arbiter demo use): a development root in
  <data>/keys registers the service keys itself, and is what --root-dir defaults to there.

Roles: decide (decision entries), review (reviews), policy (policy entries), checkpoint (signed
checkpoints). Times are ISO 8601, kept as YYYY-MM-DDTHH:MM:SS.sssZ.
`;

interface Common {
  data?: string;
  esdb?: string;
  rootDir?: string;
  json?: boolean;
}

/** The service's data directory (its key store) and where its ledger is: --esdb, else ESDB_CONNECTION_STRING, else the data directory. */
function context(options: Common) {
  const config = configFromEnv(process.env, options.data ? { dataDir: options.data } : {});
  return { dataDir: config.dataDir, ledgerId: config.ledgerId, esdb: options.esdb ?? config.esdbConnectionString };
}

const ESDB_OPTION = ['--esdb <url>', "the service's ledger in EventStoreDB (distributed mode), e.g. esdb://127.0.0.1:2113?tls=false (default: $ESDB_CONNECTION_STRING, else the data directory's store)"] as const;

function rootDirOption(options: Common): string | undefined {
  return options.rootDir ?? process.env.ARBITER_ROOT_DIR;
}

function parseRoles(list: string): Role[] {
  const roles = list.split(',').map((r) => r.trim()).filter(Boolean);
  const unknown = roles.filter((r) => !ROLES.includes(r as Role));
  if (roles.length === 0 || unknown.length) throw new CliError(`--roles takes a comma-separated list of ${ROLES.join(', ')}${unknown.length ? `, not ${unknown.join(', ')}` : ''}`, 2);
  return roles as Role[];
}

function print(options: Common, value: object, text: string): void {
  process.stdout.write(options.json ? JSON.stringify(value) + '\n' : text + '\n');
}

/** Key problems are the operator's to fix (wrong root, service running): a usage error, exit 2. */
async function run(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (e) {
    if (e instanceof KeyAdminError || e instanceof DataDirLockedError) throw new CliError(`${e.message} (${e.code})`, 2);
    throw e;
  }
}

export function registerKeysCommand(program: Command): void {
  const keys = program
    .command('keys')
    .description("The operator's root and the services' keys: registrations and revocations in chain keys, signed by the root.")
    .addHelpText('after', ROOT_HELP);

  keys
    .command('init-root')
    .description("Generate the operator's root key in its key directory (or reuse the one there) and print its did:key.")
    .option('--root-dir <dir>', 'operator key directory (default: $ARBITER_ROOT_DIR or ~/.arbiter/root)')
    .option('--data <dir>', "also pin this (fresh) data directory to the root: its service then needs registered keys")
    .option('--json', 'print the result as JSON')
    .addHelpText('after', ROOT_HELP)
    .action((options: Common) =>
      run(async () => {
        const result = await initOperatorRoot(options.rootDir ?? defaultRootDir(), options.data);
        print(options, result, [
          `root did:key  ${result.did}  (${result.created ? 'generated' : 'already there'} in ${result.rootDir})`,
          ...(result.pinned ? [`pinned        ${result.pinned}: its service starts once its keys are registered (keys show, keys register)`] : []),
          'auditors verify with: npx arbiter audit verify ... --trust ' + result.did,
        ].join('\n'));
      }),
    );

  keys
    .command('show')
    .description("Print a service's did:keys (generating a key in the service's own key store if it has none yet) and the roles chain keys grants them.")
    .option('--data <dir>', 'the service data directory (default: ARBITER_DATA_DIR or ./data)')
    .option(...ESDB_OPTION)
    .option('--name <name>', `one key (default: ${SERVICE_KEYS.map((k) => k.name).join(', ')})`)
    .option('--json', 'print the keys as JSON')
    .addHelpText('after', ROOT_HELP)
    .action((options: Common & { name?: string }) =>
      run(async () => {
        const { dataDir, esdb } = context(options);
        const shown = await describeServiceKeys(dataDir, options.name ? [options.name] : SERVICE_KEYS.map((k) => k.name), esdb);
        print(
          options,
          { keys: shown },
          shown.map((k) => `${k.name.padEnd(9)} ${k.did}  ${k.roles === null ? '(no root pinned or no ledger yet)' : k.roles.length ? `registered: ${k.roles.join(', ')}` : k.revoked ? `revoked at ${k.revoked}` : 'not registered'}`).join('\n'),
        );
      }),
    );

  keys
    .command('register')
    .description('Register a key in chain keys, signed by the root: its name, roles and validity window. Weak (small-order, non-canonical) keys are refused.')
    .requiredOption('--name <name>', 'key name, [a-z0-9._-]{1,64}; the service key of that name unless --key is given')
    .requiredOption('--roles <list>', `comma-separated: ${ROLES.join(', ')}`)
    .option('--key <did>', "the did:key to register (default: the service's own key of that name, from --data)")
    .option('--not-before <time>', 'valid from (default: now)')
    .option('--not-after <time>', 'valid until, exclusive (default: no end)')
    .option('--data <dir>', 'the data directory whose ledger to write (default: ARBITER_DATA_DIR or ./data)')
    .option(...ESDB_OPTION)
    .option('--root-dir <dir>', 'operator key directory (default: $ARBITER_ROOT_DIR, else the development root in <data>/keys)')
    .option('--json', 'print the registration as JSON')
    .addHelpText('after', ROOT_HELP)
    .action((options: Common & { name: string; roles: string; key?: string; notBefore?: string; notAfter?: string }) =>
      run(async () => {
        const ctx = context(options);
        const root = await loadRoot(ctx.dataDir, rootDirOption(options));
        const body = await registerKey(ctx, root, { name: options.name, roles: parseRoles(options.roles), key: options.key, notBefore: options.notBefore, notAfter: options.notAfter ?? null });
        print(options, body, `registered ${body.name} ${body.key}: ${body.roles.join(', ')} from ${body.notBefore}${body.notAfter ? ` until ${body.notAfter}` : ''}`);
      }),
    );

  keys
    .command('revoke')
    .description('Revoke a key from now on, signed by the root. Entries it signed before stay valid; entries it signs from now on do not.')
    .option('--key <did>', 'the did:key to revoke')
    .option('--name <name>', "or the service's own key of that name, from --data")
    .option('--data <dir>', 'the data directory whose ledger to write (default: ARBITER_DATA_DIR or ./data)')
    .option(...ESDB_OPTION)
    .option('--root-dir <dir>', 'operator key directory (default: $ARBITER_ROOT_DIR, else the development root in <data>/keys)')
    .option('--json', 'print the revocation as JSON')
    .addHelpText('after', ROOT_HELP)
    .action((options: Common & { key?: string; name?: string }) =>
      run(async () => {
        if (!options.key === !options.name) throw new CliError('give --key <did> or --name <name>', 2);
        const ctx = context(options);
        const did = options.key ?? (await serviceKey(ctx.dataDir, options.name!));
        const body = await revokeKey(ctx, await loadRoot(ctx.dataDir, rootDirOption(options)), did);
        print(options, body, `revoked ${body.name} ${body.key} from ${body.notBefore}`);
      }),
    );

  keys
    .command('rotate')
    .description("Replace a service key: a new key in the service's key store, registered with the old one's roles; the old key is revoked from that moment and its secret deleted. What it signed keeps verifying. Stop the service first.")
    .requiredOption('--name <name>', `the service key (${SERVICE_KEYS.map((k) => k.name).join(', ')})`)
    .option('--data <dir>', 'the service data directory (default: ARBITER_DATA_DIR or ./data)')
    .option(...ESDB_OPTION)
    .option('--root-dir <dir>', 'operator key directory (default: $ARBITER_ROOT_DIR, else the development root in <data>/keys)')
    .option('--json', 'print the rotation as JSON')
    .addHelpText('after', ROOT_HELP)
    .action((options: Common & { name: string }) =>
      run(async () => {
        const ctx = context(options);
        const result = await rotateKey(ctx, await loadRoot(ctx.dataDir, rootDirOption(options)), options.name);
        print(options, result, `rotated ${result.name}: ${result.previous} (revoked) -> ${result.next} (${result.roles.join(', ')})`);
      }),
    );
}
