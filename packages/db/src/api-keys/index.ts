export { API_KEY_SCOPES, type ApiKeyCredential, type ApiKeyRecord, type ApiKeyScope } from './model.ts';
export {
  type ApiKeyFilter,
  createApiKey,
  ensureApiKey,
  findApiKeyCredential,
  getApiKey,
  listApiKeys,
  type NewApiKey,
  revokeApiKey,
  touchApiKey,
} from './repository.ts';
