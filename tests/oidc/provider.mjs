// Test-only OpenID Connect provider for Quorum's SSO tests.
//
// Wraps panva's `oidc-provider` (OpenID Certified). The module is NOT installed in
// the repository; it is loaded from the directory named by QUORUM_OIDC_NODE_MODULES
// (a node_modules directory, e.g. "$HOME/.cache/quorum-oidc/node_modules").
// See README.md in this directory for the pinned version, env vars and login flow.
//
// stdout carries exactly one line, `READY <issuer>`; everything else goes to stderr.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, fstatSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// oidc-provider prints notices with console.info (stdout); keep stdout for READY only.
console.log = console.error;
console.info = console.error;

function fail(message) {
  process.stderr.write(`oidc test provider: ${message}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------- lifecycle

// Exit on SIGTERM/SIGINT, when stdin (a pipe held by the test harness) reaches EOF,
// and when the parent process dies.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(signal, () => process.exit(0));
}
let stdinIsPipe = false;
try {
  const stat = fstatSync(0);
  stdinIsPipe = stat.isFIFO() || stat.isSocket();
} catch {
  // no stdin at all
}
if (stdinIsPipe) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('close', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume(); // discard anything written to us
}
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) process.exit(0);
}, 500).unref();

// ---------------------------------------------------------------- configuration

const env = process.env;
const modulesDir = env.QUORUM_OIDC_NODE_MODULES;
if (!modulesDir) fail('QUORUM_OIDC_NODE_MODULES is not set');
for (const name of ['CLIENT_ID', 'CLIENT_SECRET', 'REDIRECT_URI']) {
  if (!env[name]) fail(`${name} is not set`);
}
const port = Number(env.PORT ?? '0');
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`bad PORT ${env.PORT}`);
const idTokenTtl = Number(env.ID_TOKEN_TTL ?? '600');
if (!Number.isInteger(idTokenTtl) || idTokenTtl < 1) fail(`bad ID_TOKEN_TTL ${env.ID_TOKEN_TTL}`);

// Test accounts keyed by login name. ACCOUNTS (JSON) is merged over these, per login.
const accounts = {
  alice: {
    email: 'alice@example.com', email_verified: true, name: 'Alice Example',
  },
  bob: {
    email: 'bob@example.com', email_verified: true, name: 'Bob Example',
  },
  mallory: {
    email: 'mallory@example.com', email_verified: false, name: 'Mallory Example',
  },
};
if (env.ACCOUNTS) {
  let extra;
  try {
    extra = JSON.parse(env.ACCOUNTS);
  } catch (err) {
    fail(`ACCOUNTS is not valid JSON: ${err.message}`);
  }
  if (!extra || typeof extra !== 'object' || Array.isArray(extra)) fail('ACCOUNTS must be a JSON object');
  for (const [login, claims] of Object.entries(extra)) {
    accounts[login] = { ...accounts[login], ...claims };
  }
}
const accountsBySub = new Map();
for (const [login, account] of Object.entries(accounts)) {
  account.sub = String(account.sub ?? `sub-${login}`);
  account.preferred_username ??= login;
  accountsBySub.set(account.sub, account);
}

// ---------------------------------------------------------------- provider

// Accept either the node_modules directory or the npm --prefix directory above it.
const packageDir = [join(modulesDir, 'oidc-provider'), join(modulesDir, 'node_modules', 'oidc-provider')]
  .find((dir) => existsSync(join(dir, 'package.json')));
if (!packageDir) fail(`oidc-provider not found in ${modulesDir} (see tests/oidc/README.md)`);
const PINNED_VERSION = '8.8.1'; // keep in sync with package.json and README.md
const installed = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;
if (installed !== PINNED_VERSION) {
  process.stderr.write(`oidc test provider: oidc-provider ${installed} installed, ${PINNED_VERSION} expected\n`);
}
const libDir = join(packageDir, 'lib');
const { default: Provider } = await import(pathToFileURL(join(libDir, 'index.js')).href);
// The stock in-memory adapter, subclassed only so oidc-provider does not warn about it.
const { default: MemoryAdapter } = await import(
  pathToFileURL(join(libDir, 'adapters', 'memory_adapter.js')).href
);
class TestAdapter extends MemoryAdapter {}

const server = createServer();
server.on('clientError', (_err, socket) => socket.destroy());
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ format: 'jwk' });

const provider = new Provider(issuer, {
  adapter: TestAdapter,
  clients: [{
    client_id: env.CLIENT_ID,
    client_secret: env.CLIENT_SECRET,
    redirect_uris: [env.REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    // A client registered for client_secret_basic also accepts client_secret_post.
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  responseTypes: ['code'],
  pkce: { methods: ['S256'], required: () => true },
  scopes: ['openid', 'email', 'profile'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
  },
  // Put the scope's claims into the ID token too, not only into userinfo.
  conformIdTokenClaims: false,
  async findAccount(_ctx, sub) {
    const account = accountsBySub.get(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { ...account };
      },
    };
  },
  jwks: { keys: [{ ...signingKey, kid: 'quorum-test', use: 'sig', alg: 'RS256' }] },
  cookies: {
    keys: [randomBytes(32).toString('hex')],
    // Plain http on loopback: browsers drop `SameSite=None` cookies without `Secure`,
    // so use Lax for both cookie kinds (all navigations here are top level).
    long: { signed: true, httpOnly: true, sameSite: 'lax' },
    short: { signed: true, httpOnly: true, sameSite: 'lax' },
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  renderError,
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    ClientCredentials: 600,
    DeviceCode: 600,
    BackchannelAuthenticationRequest: 600,
    Grant: 3600,
    IdToken: idTokenTtl,
    Interaction: 3600,
    RefreshToken: 3600,
    Session: 3600,
  },
});

// ---------------------------------------------------------------- pages

function esc(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${esc(title)}</title></head>
<body>
<main>
<h1>${esc(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

function loginPage(uid, clientId, error) {
  return page('Test OpenID provider: sign in', `
<p>Signing in to client <code id="client">${esc(clientId)}</code>.
Accounts: ${Object.keys(accounts).map(esc).join(', ')}. Any password is accepted.</p>
${error ? `<p id="error" role="alert">${esc(error)}</p>` : ''}
<form id="login-form" method="post" action="/interaction/${esc(uid)}/login">
<p><label for="login">Login</label> <input id="login" name="login" type="text" autocomplete="username" autofocus required></p>
<p><label for="password">Password (any password accepted)</label> <input id="password" name="password" type="password" autocomplete="current-password"></p>
<p><button id="submit" type="submit">Sign in</button></p>
</form>
<form id="abort-form" method="post" action="/interaction/${esc(uid)}/abort">
<p><button id="abort" type="submit">Cancel</button></p>
</form>`);
}

async function logoutSource(ctx, form) {
  ctx.type = 'html';
  ctx.body = page('Test OpenID provider: sign out', `${form}
<button id="logout" type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button>
<button id="stay" type="submit" form="op.logoutForm">Stay signed in</button>`);
}

async function postLogoutSuccessSource(ctx) {
  ctx.type = 'html';
  ctx.body = page('Test OpenID provider: signed out', '<p id="signed-out">You are signed out.</p>');
}

async function renderError(ctx, out) {
  ctx.type = 'html';
  ctx.body = page('Test OpenID provider: error', Object.entries(out)
    .map(([k, v]) => `<p><strong>${esc(k)}</strong>: <span id="${esc(k)}">${esc(v)}</span></p>`)
    .join('\n'));
}

// ---------------------------------------------------------------- interactions

function send(res, status, html) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(html);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// Grant everything the client asked for (auto-consent); returns the grant id.
async function autoGrant(details, accountId) {
  const { Grant } = provider;
  const clientId = details.params.client_id;
  let grant = details.grantId ? await Grant.find(details.grantId) : undefined;
  if (!grant) grant = new Grant({ accountId, clientId });
  if (details.params.scope) grant.addOIDCScope(details.params.scope);
  if (details.params.claims) {
    const claims = JSON.parse(details.params.claims);
    grant.addOIDCClaims(Object.keys(claims.id_token ?? {}));
    grant.addOIDCClaims(Object.keys(claims.userinfo ?? {}));
  }
  const missing = details.prompt.details ?? {};
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  return grant.save();
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) {
    send(res, 400, page('Test OpenID provider: error', '<p id="error">interaction mismatch</p>'));
    return;
  }
  const { prompt } = details;

  if (action === undefined && req.method === 'GET') {
    if (prompt.name === 'login') {
      send(res, 200, loginPage(uid, details.params.client_id));
    } else {
      // Consent (e.g. prompt=consent on an existing session): approve without a page.
      const grantId = await autoGrant(details, details.session.accountId);
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    }
    return;
  }

  if (action === 'login' && req.method === 'POST') {
    const form = await readForm(req);
    const login = (form.get('login') ?? '').trim();
    const account = Object.hasOwn(accounts, login) ? accounts[login] : undefined;
    if (!account) {
      send(res, 200, loginPage(uid, details.params.client_id, `Unknown account "${login}".`));
      return;
    }
    const grantId = await autoGrant(details, account.sub);
    await provider.interactionFinished(req, res, {
      login: { accountId: account.sub },
      consent: { grantId },
    }, { mergeWithLastSubmission: false });
    return;
  }

  if (action === 'abort' && req.method === 'POST') {
    await readForm(req);
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
    return;
  }

  res.statusCode = 405;
  res.end();
}

const providerCallback = provider.callback();
const interactionPath = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|abort))?\/?$/;

server.on('request', (req, res) => {
  const { pathname } = new URL(req.url, issuer);
  const match = interactionPath.exec(pathname);
  if (!match) {
    providerCallback(req, res);
    return;
  }
  interaction(req, res, match[1], match[2]).catch((err) => {
    process.stderr.write(`oidc test provider: interaction error: ${err.stack ?? err}\n`);
    if (!res.headersSent) {
      send(res, 400, page('Test OpenID provider: error', `<p id="error">${esc(err.name)}: ${esc(err.message)}</p>`));
    } else {
      res.end();
    }
  });
});

provider.on('server_error', (_ctx, err) => {
  process.stderr.write(`oidc test provider: server error: ${err.stack ?? err}\n`);
});

process.stdout.write(`READY ${issuer}\n`);
