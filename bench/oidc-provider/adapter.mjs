// An in-memory oidc-provider adapter shaped like the project's Redis example adapter:
// one Map, expiry checked on read (and swept once a minute), a set of keys per grant for
// revokeByGrantId. Unlike oidc-provider's built-in development adapter it has no size
// cap (an LRU of 1,000 entries) and no per-grant member map rewritten on every upsert.
const store = new Map(); // key -> { payload, expiresAt }
const grants = new Map(); // grantId -> Set of keys
const uids = new Map(); // session uid -> key
const userCodes = new Map();

const GRANTABLE = new Set([
  'AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode',
  'BackchannelAuthenticationRequest', 'PreAuthorizedCode',
]);

function live(key) {
  const entry = store.get(key);
  if (!entry) return undefined;
  if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
    store.delete(key);
    return undefined;
  }
  return entry.payload;
}

setInterval(() => {
  const now = Date.now();
  for (const [key, entry] of store) {
    if (entry.expiresAt !== undefined && entry.expiresAt <= now) store.delete(key);
  }
  for (const [grantId, keys] of grants) {
    for (const key of keys) if (!store.has(key)) keys.delete(key);
    if (!keys.size) grants.delete(grantId);
  }
}, 60_000).unref();

export class MapAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    store.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
    if (GRANTABLE.has(this.model) && payload.grantId) {
      let keys = grants.get(payload.grantId);
      if (!keys) grants.set(payload.grantId, (keys = new Set()));
      keys.add(key);
    }
    if (this.model === 'Session') uids.set(payload.uid, id);
    if (payload.userCode) userCodes.set(payload.userCode, id);
  }

  async find(id) {
    return live(this.key(id));
  }

  async findByUid(uid) {
    const id = uids.get(uid);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode) {
    const id = userCodes.get(userCode);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id) {
    const payload = live(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    const key = this.key(id);
    const payload = live(key);
    store.delete(key);
    if (payload?.uid && uids.get(payload.uid) === id) uids.delete(payload.uid);
    if (payload?.grantId) grants.get(payload.grantId)?.delete(key);
  }

  async revokeByGrantId(grantId) {
    const keys = grants.get(grantId);
    if (!keys) return;
    for (const key of keys) store.delete(key);
    grants.delete(grantId);
  }
}
