export { loadCloudsConfig } from './loader.ts';
export { CloudsConfigError } from './errors.ts';
export { Secret } from './secret.ts';
export { DEFAULT_API_TIMEOUT_SECONDS } from './defaults.ts';
export type * from './types.ts';
