import { afterEach, describe, expect, it } from 'vitest'
import { useCliFixture } from '../../test/cli-fixture.js'
import { cli, type Env, jsonErrorCode, oneJsonObject } from '../../test/cli-harness.js'
import { sharedSourcePasswordEstimator } from '../../test/password-estimator.js'
import { DIALECTS } from '../../test/test-database.js'
import { createTessera, type Tessera } from '../app/tessera.js'
import { loadConfig } from '../config/load-config.js'
import { loadCommands } from './run-cli.js'

const COMMANDS = await loadCommands()

const PASSWORD = 'correct horse battery staple'
const DEVICE = { userAgent: 'run-cli-test', ip: '127.0.0.1' }

interface PresentedUser {
  id: string
  email: string
  status: string
  createdAt: string
}

describe('tessera CLI: help and usage', () => {
  const env: Env = {}

  it('prints the overview with every command for --help and exits 0', async () => {
    const result = await cli(env, ['--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Usage: tessera <command>')
    for (const command of COMMANDS) expect(result.stdout).toContain(command.spec.name)
  })

  it('prints the overview and exits 2 when no command is given', async () => {
    const result = await cli(env, [])
    expect(result.code).toBe(2)
    expect(result.stdout + result.stderr).toContain('Usage: tessera <command>')
  })

  for (const command of COMMANDS) {
    it(`prints the usage of "${command.spec.name}" for --help and exits 0 without touching any store`, async () => {
      // A config error would surface if --help opened anything.
      const result = await cli({ TESSERA_PORT: 'abc' }, [...command.spec.name.split(' '), '--help'])
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout).toContain(`Usage: tessera ${command.spec.name}`)
      expect(result.stdout).toContain('--json')
      expect(result.stderr).toBe('')
    })
  }

  it('lists the commands of a group for "users --help" and exits 0', async () => {
    const result = await cli(env, ['users', '--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('users create')
    expect(result.stdout).toContain('users list')
  })

  it('exits 2 for a group without its sub-command', async () => {
    const result = await cli(env, ['sessions'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('sessions list')
  })

  it('exits 2 for an unknown command', async () => {
    const result = await cli(env, ['frobnicate'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('frobnicate')
  })

  it('exits 2 for an unknown sub-command of a known group', async () => {
    const result = await cli(env, ['users', 'frobnicate', 'ann@example.com'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('users frobnicate')
  })

  it('exits 2 with the usage error code for an unknown option, before opening anything', async () => {
    const result = await cli({ TESSERA_PORT: 'abc' }, ['users', 'list', '--colour', 'blue', '--json'])
    expect(result.code).toBe(2)
    expect(jsonErrorCode(result)).toBe('usage')
  })

  it('exits 2 for an option that needs a value but has none', async () => {
    const result = await cli(env, ['users', 'create', '--password-stdin', '--email'])
    expect(result.code).toBe(2)
  })

  it('exits 2 for a wrong number of arguments', async () => {
    expect((await cli(env, ['users', 'disable'])).code).toBe(2)
    expect((await cli(env, ['users', 'disable', 'a@example.com', 'b@example.com'])).code).toBe(2)
    expect((await cli(env, ['migrate', 'now'])).code).toBe(2)
  })

  it('exits 2 for a page size out of range, naming the option', async () => {
    for (const limit of ['0', '501', 'ten', '-1']) {
      const result = await cli(env, ['users', 'list', `--limit=${limit}`])
      expect(result.code).toBe(2)
      expect(result.stderr).toContain('--limit')
    }
  })
})

describe('tessera CLI: configuration errors', () => {
  it('exits 78 and names the key and its variable when TESSERA_PORT is not a number', async () => {
    const result = await cli({ TESSERA_PORT: 'abc' }, ['migrate'])
    expect(result.code).toBe(78)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('port')
    expect(result.stderr).toContain('TESSERA_PORT')
  })

  it('reports a configuration error as invalid_config with --json', async () => {
    const result = await cli({ TESSERA_PORT: 'abc' }, ['users', 'list', '--json'])
    expect(result.code).toBe(78)
    expect(jsonErrorCode(result)).toBe('invalid_config')
    expect(result.stderr).toContain('TESSERA_PORT')
  })

  it('exits 78 for a database URL of an unknown kind', async () => {
    const result = await cli({ TESSERA_DATABASE_URL: 'mysql://localhost/x' }, ['migrate', '--json'])
    expect(result.code).toBe(78)
    expect(jsonErrorCode(result)).toBe('invalid_config')
    expect(result.stderr).toContain('TESSERA_DATABASE_URL')
  })
})

for (const dialect of DIALECTS) {
  describe(`tessera CLI data commands on ${dialect}`, () => {
    const fixture = useCliFixture(dialect)
    const opened: Tessera[] = []

    afterEach(async () => {
      for (const tessera of opened.splice(0)) await tessera.close()
    })

    /** Tessera on the same database as the CLI, for what the CLI cannot do itself (sign-in). */
    async function openTessera(): Promise<Tessera> {
      const tessera = await createTessera(loadConfig({ env: fixture.env, overrides: { logLevel: 'silent' } }), {
        passwordEstimator: sharedSourcePasswordEstimator(),
      })
      opened.push(tessera)
      return tessera
    }

    async function createUser(email: string): Promise<PresentedUser> {
      const result = await cli(fixture.env, ['users', 'create', '--email', email, '--password-stdin', '--json'], `${PASSWORD}\n`)
      expect(result.code, result.stderr).toBe(0)
      return oneJsonObject(result.stdout).user as PresentedUser
    }

    async function listSessionIds(email: string): Promise<string[]> {
      const result = await cli(fixture.env, ['sessions', 'list', '--user', email, '--json'])
      expect(result.code, result.stderr).toBe(0)
      return (oneJsonObject(result.stdout).sessions as { id: string }[]).map((session) => session.id)
    }

    async function listUsers(...options: string[]): Promise<{ users: PresentedUser[]; next: string | null }> {
      const result = await cli(fixture.env, ['users', 'list', '--json', ...options])
      expect(result.code, result.stderr).toBe(0)
      return oneJsonObject(result.stdout) as { users: PresentedUser[]; next: string | null }
    }

    describe('on a database nothing has migrated yet', () => {
      const empty = useCliFixture(dialect, 'tessera-cli-', { schema: 'empty' })

      it('migrate --json applies the migrations once, then reports nothing to apply', async () => {
        const first = await cli(empty.env, ['migrate', '--json'])
        expect(first.code).toBe(0)
        const applied = oneJsonObject(first.stdout).applied as string[]
        expect(applied.length).toBeGreaterThan(0)
        expect(applied).toContain('0001-foundation')
        const second = await cli(empty.env, ['migrate', '--json'])
        expect(second.code).toBe(0)
        expect(oneJsonObject(second.stdout)).toEqual({ applied: [] })
      })

      it('migrate without --json says the schema is up to date the second time', async () => {
        expect((await cli(empty.env, ['migrate'])).code).toBe(0)
        const second = await cli(empty.env, ['migrate'])
        expect(second.code).toBe(0)
        expect(second.stdout).toMatch(/up to date/i)
      })
    })

    it('users create --json prints one object with the new user, never the password or a hash', async () => {
      const result = await cli(
        fixture.env,
        ['users', 'create', '--email', 'Ann@Example.com', '--password-stdin', '--json'],
        `${PASSWORD}\n`,
      )
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdinReads).toBe(1)
      const body = oneJsonObject(result.stdout)
      expect(Object.keys(body)).toEqual(['user'])
      const user = body.user as PresentedUser
      expect(user).toMatchObject({ email: 'ann@example.com', status: 'active' })
      expect(user.id).toMatch(/^usr_/)
      expect(Number.isNaN(Date.parse(user.createdAt))).toBe(false)
      expect(result.stdout).not.toContain(PASSWORD)
      expect(result.stdout).not.toContain('argon2')
      expect(result.stderr).toBe('')
    })

    it('users create takes the piped password without its trailing newline, so the user can sign in with it', async () => {
      await createUser('ann@example.com')
      const tessera = await openTessera()
      const signedIn = await tessera.services.auth.signIn({ email: 'ann@example.com', password: PASSWORD }, DEVICE)
      expect(signedIn.user.email).toBe('ann@example.com')
    })

    it('users create refuses to run without --password-stdin and never reads standard input', async () => {
      const result = await cli(fixture.env, ['users', 'create', '--email', 'ann@example.com', '--json'], PASSWORD)
      expect(result.code).toBe(2)
      expect(jsonErrorCode(result)).toBe('usage')
      expect(result.stdinReads).toBe(0)
      expect((await listUsers()).users).toEqual([])
    })

    it('users create refuses to run without --email', async () => {
      const result = await cli(fixture.env, ['users', 'create', '--password-stdin', '--json'], PASSWORD)
      expect(result.code).toBe(2)
      expect(jsonErrorCode(result)).toBe('usage')
    })

    it('users create refuses a common password with exit 1 and password_too_common', async () => {
      const result = await cli(fixture.env, ['users', 'create', '--email', 'ann@example.com', '--password-stdin', '--json'], 'password\n')
      expect(result.code).toBe(1)
      expect(jsonErrorCode(result)).toBe('password_too_common')
      expect((await listUsers()).users).toEqual([])
    })

    it('users create refuses a too-short password with password_too_short', async () => {
      const result = await cli(fixture.env, ['users', 'create', '--email', 'ann@example.com', '--password-stdin', '--json'], 'x7#q')
      expect(result.code).toBe(1)
      expect(jsonErrorCode(result)).toBe('password_too_short')
    })

    it('users create refuses an invalid email with invalid_email', async () => {
      const result = await cli(fixture.env, ['users', 'create', '--email', 'not-an-email', '--password-stdin', '--json'], PASSWORD)
      expect(result.code).toBe(1)
      expect(jsonErrorCode(result)).toBe('invalid_email')
    })

    it('users create refuses a second account for the same email, whatever its case, with email_taken', async () => {
      await createUser('ann@example.com')
      const result = await cli(fixture.env, ['users', 'create', '--email', 'ANN@example.com', '--password-stdin', '--json'], PASSWORD)
      expect(result.code).toBe(1)
      expect(jsonErrorCode(result)).toBe('email_taken')
      expect((await listUsers()).users).toHaveLength(1)
    })

    it('users create without --json prints a human line naming the user', async () => {
      const result = await cli(fixture.env, ['users', 'create', '--email', 'ann@example.com', '--password-stdin'], PASSWORD)
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout).toContain('ann@example.com')
      expect(() => JSON.parse(result.stdout)).toThrow()
    })

    it('users list --json filters by a case-insensitive search', async () => {
      await createUser('ann@example.com')
      await createUser('bob@example.com')
      await createUser('joanna@example.org')
      const found = await listUsers('--search', 'ANN')
      expect(found.users.map((user) => user.email).sort()).toEqual(['ann@example.com', 'joanna@example.org'])
      expect(found.next).toBeNull()
      expect((await listUsers('--search', 'nobody')).users).toEqual([])
    })

    it('users list treats % and _ in --search as literal characters', async () => {
      await createUser('ann@example.com')
      expect((await listUsers('--search', '%')).users).toEqual([])
      expect((await listUsers('--search', '_')).users).toEqual([])
    })

    it('users list --json pages with --limit and --after, following next until it is null', async () => {
      const created = [
        await createUser('a@example.com'),
        await createUser('b@example.com'),
        await createUser('c@example.com'),
        await createUser('d@example.com'),
        await createUser('e@example.com'),
      ]
      const first = await listUsers('--limit', '2')
      expect(first.users).toHaveLength(2)
      expect(first.next).toBe(first.users[1]?.id)
      const second = await listUsers('--limit', '2', '--after', first.next as string)
      expect(second.users).toHaveLength(2)
      expect(second.next).toBe(second.users[1]?.id)
      const third = await listUsers('--limit', '2', '--after', second.next as string)
      expect(third.users).toHaveLength(1)
      expect(third.next).toBeNull()

      const paged = [...first.users, ...second.users, ...third.users].map((user) => user.id)
      const sortedIds = created.map((user) => user.id).sort()
      expect(paged).toEqual(sortedIds)
      expect((await listUsers()).users.map((user) => user.id)).toEqual(sortedIds)
    })

    it('users disable --json disables the user by email and revokes every one of their sessions', async () => {
      await createUser('ann@example.com')
      await createUser('bob@example.com')
      const tessera = await openTessera()
      const first = await tessera.services.auth.signIn({ email: 'ann@example.com', password: PASSWORD }, DEVICE)
      const second = await tessera.services.auth.signIn({ email: 'ann@example.com', password: PASSWORD }, DEVICE)
      const bobs = await tessera.services.auth.signIn({ email: 'bob@example.com', password: PASSWORD }, DEVICE)

      const result = await cli(fixture.env, ['users', 'disable', 'ann@example.com', '--json'])
      expect(result.code, result.stderr).toBe(0)
      expect((oneJsonObject(result.stdout).user as PresentedUser).status).toBe('disabled')

      expect(await listSessionIds('ann@example.com')).toEqual([])
      for (const token of [first.token, second.token]) {
        await expect(tessera.services.sessions.authenticate(token)).rejects.toMatchObject({ code: 'session_revoked' })
      }
      await expect(tessera.services.auth.signIn({ email: 'ann@example.com', password: PASSWORD }, DEVICE)).rejects.toMatchObject({
        code: 'user_disabled',
      })
      // Nobody else is touched.
      expect((await tessera.services.sessions.authenticate(bobs.token)).user.email).toBe('bob@example.com')
      const listed = await listUsers()
      expect(listed.users.find((user) => user.email === 'bob@example.com')?.status).toBe('active')
    })

    it('users disable raises the token version, so tokens issued before it are dead', async () => {
      const created = await createUser('ann@example.com')
      const tessera = await openTessera()
      const before = await tessera.stores.users.findById(created.id)
      expect((await cli(fixture.env, ['users', 'disable', created.id])).code).toBe(0)
      const after = await tessera.stores.users.findById(created.id)
      expect(after?.tokenVersion).toBeGreaterThan(before?.tokenVersion as number)
    })

    it('users enable --json by id lets a disabled user sign in again, without reviving old sessions', async () => {
      const created = await createUser('ann@example.com')
      const tessera = await openTessera()
      const old = await tessera.services.auth.signIn({ email: 'ann@example.com', password: PASSWORD }, DEVICE)
      expect((await cli(fixture.env, ['users', 'disable', created.id, '--json'])).code).toBe(0)

      const result = await cli(fixture.env, ['users', 'enable', created.id, '--json'])
      expect(result.code, result.stderr).toBe(0)
      expect(oneJsonObject(result.stdout).user).toMatchObject({ id: created.id, status: 'active' })

      const fresh = await tessera.services.auth.signIn({ email: 'ann@example.com', password: PASSWORD }, DEVICE)
      expect((await tessera.services.sessions.authenticate(fresh.token)).user.id).toBe(created.id)
      await expect(tessera.services.sessions.authenticate(old.token)).rejects.toMatchObject({ code: 'session_revoked' })
    })

    it('users disable and enable are idempotent', async () => {
      await createUser('ann@example.com')
      for (const action of ['disable', 'disable', 'enable', 'enable']) {
        const result = await cli(fixture.env, ['users', action, 'ann@example.com', '--json'])
        expect(result.code, result.stderr).toBe(0)
        expect((oneJsonObject(result.stdout).user as PresentedUser).status).toBe(action === 'disable' ? 'disabled' : 'active')
      }
    })

    it('users disable of an unknown user exits 1 with user_not_found', async () => {
      await cli(fixture.env, ['migrate'])
      for (const who of ['ghost@example.com', 'usr_doesnotexist']) {
        const result = await cli(fixture.env, ['users', 'disable', who, '--json'])
        expect(result.code).toBe(1)
        expect(jsonErrorCode(result)).toBe('user_not_found')
      }
    })

    it("sessions list --json shows a user's live sessions and none of their secrets", async () => {
      const created = await createUser('ann@example.com')
      await createUser('bob@example.com')
      const tessera = await openTessera()
      const first = await tessera.services.auth.signIn({ email: 'ann@example.com', password: PASSWORD }, DEVICE)
      const second = await tessera.services.auth.signIn({ email: 'ann@example.com', password: PASSWORD }, DEVICE)
      await tessera.services.auth.signIn({ email: 'bob@example.com', password: PASSWORD }, DEVICE)

      for (const who of ['ann@example.com', created.id]) {
        const result = await cli(fixture.env, ['sessions', 'list', '--user', who, '--json'])
        expect(result.code, result.stderr).toBe(0)
        const sessions = oneJsonObject(result.stdout).sessions as Record<string, unknown>[]
        expect(sessions.map((session) => session.id).sort()).toEqual([first.session.id, second.session.id].sort())
        expect(sessions[0]).toMatchObject({ userAgent: DEVICE.userAgent, ip: DEVICE.ip, amr: ['pwd'] })
        for (const token of [first.token, second.token]) expect(result.stdout).not.toContain(token.split('.')[1])
        expect(result.stdout).not.toContain(first.session.secretHash)
        expect(result.stdout).not.toContain('secretHash')
      }
    })

    it('sessions list requires --user and exits 1 with user_not_found for an unknown one', async () => {
      await cli(fixture.env, ['migrate'])
      expect((await cli(fixture.env, ['sessions', 'list', '--json'])).code).toBe(2)
      const result = await cli(fixture.env, ['sessions', 'list', '--user', 'ghost@example.com', '--json'])
      expect(result.code).toBe(1)
      expect(jsonErrorCode(result)).toBe('user_not_found')
    })

    it('sessions revoke <id> --json revokes that one session and leaves the others live', async () => {
      await createUser('ann@example.com')
      const tessera = await openTessera()
      const first = await tessera.services.auth.signIn({ email: 'ann@example.com', password: PASSWORD }, DEVICE)
      const second = await tessera.services.auth.signIn({ email: 'ann@example.com', password: PASSWORD }, DEVICE)

      const result = await cli(fixture.env, ['sessions', 'revoke', first.session.id, '--json'])
      expect(result.code, result.stderr).toBe(0)
      expect(oneJsonObject(result.stdout)).toEqual({ revoked: [first.session.id] })

      expect(await listSessionIds('ann@example.com')).toEqual([second.session.id])
      await expect(tessera.services.sessions.authenticate(first.token)).rejects.toMatchObject({ code: 'session_revoked' })
      expect((await tessera.services.sessions.authenticate(second.token)).session.id).toBe(second.session.id)
    })

    it('sessions revoke of a session that is already revoked exits 1 with session_not_found', async () => {
      await createUser('ann@example.com')
      const tessera = await openTessera()
      const { session } = await tessera.services.auth.signIn({ email: 'ann@example.com', password: PASSWORD }, DEVICE)
      expect((await cli(fixture.env, ['sessions', 'revoke', session.id])).code).toBe(0)
      const again = await cli(fixture.env, ['sessions', 'revoke', session.id, '--json'])
      expect(again.code).toBe(1)
      expect(jsonErrorCode(again)).toBe('session_not_found')
    })

    it('sessions revoke of an unknown or malformed session id exits 1 with session_not_found', async () => {
      await cli(fixture.env, ['migrate'])
      for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'not-a-session-id']) {
        const result = await cli(fixture.env, ['sessions', 'revoke', id, '--json'])
        expect(result.code).toBe(1)
        expect(jsonErrorCode(result)).toBe('session_not_found')
      }
    })

    it('sessions revoke --user E --all --json revokes every session of that user only', async () => {
      await createUser('ann@example.com')
      await createUser('bob@example.com')
      const tessera = await openTessera()
      const first = await tessera.services.auth.signIn({ email: 'ann@example.com', password: PASSWORD }, DEVICE)
      const second = await tessera.services.auth.signIn({ email: 'ann@example.com', password: PASSWORD }, DEVICE)
      const bobs = await tessera.services.auth.signIn({ email: 'bob@example.com', password: PASSWORD }, DEVICE)

      const result = await cli(fixture.env, ['sessions', 'revoke', '--user', 'ann@example.com', '--all', '--json'])
      expect(result.code, result.stderr).toBe(0)
      expect((oneJsonObject(result.stdout).revoked as string[]).sort()).toEqual([first.session.id, second.session.id].sort())

      expect(await listSessionIds('ann@example.com')).toEqual([])
      await expect(tessera.services.sessions.authenticate(second.token)).rejects.toMatchObject({ code: 'session_revoked' })
      expect(await listSessionIds('bob@example.com')).toEqual([bobs.session.id])
      // Signing out everywhere does not disable the account.
      const again = await tessera.services.auth.signIn({ email: 'ann@example.com', password: PASSWORD }, DEVICE)
      expect(again.user.status).toBe('active')
    })

    it('sessions revoke exits 2 with a usage error unless given exactly one id, or --user with --all', async () => {
      await createUser('ann@example.com')
      const tessera = await openTessera()
      const { session } = await tessera.services.auth.signIn({ email: 'ann@example.com', password: PASSWORD }, DEVICE)

      const misuses = [
        [session.id, '--user', 'ann@example.com'],
        [session.id, '--user', 'ann@example.com', '--all'],
        ['--all'],
        ['--user', 'ann@example.com'],
        [],
      ]
      for (const misuse of misuses) {
        const result = await cli(fixture.env, ['sessions', 'revoke', ...misuse, '--json'])
        expect(result.code, misuse.join(' ')).toBe(2)
        expect(jsonErrorCode(result)).toBe('usage')
      }
      expect(await listSessionIds('ann@example.com')).toEqual([session.id])
    })
  })
}
