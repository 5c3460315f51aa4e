/** The version of the API contract (info.version of the OpenAPI document). */
export const API_VERSION = '1.0.0';
