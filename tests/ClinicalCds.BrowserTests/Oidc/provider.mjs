// A certified OpenID provider (panva's oidc-provider, pinned in HospitalSignInBrowserTests) for the browser test:
// one confidential client (ours), people read from a JSON file the test rewrites (to change roles), the provider's own
// development login pages, RP-initiated logout. Usage: node provider.mjs PORT REDIRECT_URI PEOPLE_FILE POST_LOGOUT_URI
import Provider from 'oidc-provider';
import { readFileSync } from 'node:fs';

const [port, redirectUri, peopleFile, postLogoutRedirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const people = () => JSON.parse(readFileSync(peopleFile, 'utf8'));

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'clinicalcds',
    client_secret: 'browser-test-client-secret-7f3a',
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [postLogoutRedirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  scopes: ['openid', 'email', 'profile', 'roles'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], roles: ['roles'] },
  // The claims of the granted scopes in the ID token itself, as most hospital providers are configured.
  conformIdTokenClaims: false,
  findAccount: async (ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub, ...(people()[sub] ?? {}) }),
  }),
  // A first-party client: no consent page.
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile roles');
    await grant.save();
    return grant;
  },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  cookies: { keys: ['clinicalcds-browser-test-cookie-key-5b1e'] },
});
provider.listen(Number(port), '127.0.0.1', () => console.log(`oidc-provider listening at ${issuer}`));
