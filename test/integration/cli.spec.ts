import { query, runCli } from '../support/cli';

/** Runs the real CLI entrypoint from source against this worker's test schema. */
const cli = (...args: string[]) => runCli(args);

describe('administrators\' CLI', () => {
  const username = `cli-admin-${process.pid}`;

  it('explains itself with --help', () => {
    const res = cli('staff', 'create', '--help');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('--username <username>');
    expect(res.stdout).toContain('--dry-run');
    expect(res.stdout).toContain('--json');
  });

  it('validates input, lists every problem and changes nothing', async () => {
    const res = cli('staff', 'create', '--username', 'X', '--role', 'county_reviewer', '--name', '審查員', '--json');
    expect(res.status).toBe(2);
    const out = JSON.parse(res.stdout);
    expect(out.ok).toBe(false);
    expect(out.errors.join('\n')).toMatch(/username: 3-64 lowercase/);
    expect(out.errors.join('\n')).toMatch(/county: a county reviewer needs --county/);
  });

  it('creates with --dry-run changing nothing, then for real with one audit row, then disables', async () => {
    const dry = cli('staff', 'create', '--username', username, '--name', '王大明', '--role', 'admin', '--dry-run', '--json');
    expect(dry.status).toBe(0);
    expect(JSON.parse(dry.stdout).dryRun).toBe(true);
    expect(await query('SELECT id FROM staff_account WHERE username = ?', [username])).toHaveLength(0);

    const created = cli('staff', 'create', '--username', username, '--name', '王大明', '--role', 'admin', '--json');
    expect(created.status).toBe(0);
    const out = JSON.parse(created.stdout);
    expect(out.password).toMatch(/^[A-Za-z2-9]{5}(-[A-Za-z2-9]{5}){3}$/);
    expect(out.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    const [row] = await query<{ password_hash: string; totp_secret_cipher: string }>('SELECT password_hash, totp_secret_cipher FROM staff_account WHERE username = ?', [username]);
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.totp_secret_cipher).not.toContain(out.totpSecret);
    const audits = await query<{ actor_kind: string; credential: string }>("SELECT actor_kind, credential FROM audit_event WHERE action = 'staff.create' AND target_id = ?", [username]);
    expect(audits).toEqual([{ actor_kind: 'cli', credential: 'local-shell' }]);

    const list = JSON.parse(cli('staff', 'list', '--json').stdout);
    expect(list.accounts.map((a: { username: string }) => a.username)).toContain(username);

    expect(cli('staff', 'disable', username, '--json').status).toBe(0);
    const again = cli('staff', 'disable', username);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('already disabled');
  });

  it('reports pending migrations with --dry-run and seeds idempotently', () => {
    const migrate = JSON.parse(cli('db', 'migrate', '--dry-run', '--json').stdout);
    expect(migrate.pending).toEqual([]);
    const seed = JSON.parse(cli('seed', '--json').stdout);
    expect(seed.tables.county).toEqual({ inserted: 0, present: 22 });
  });
});
