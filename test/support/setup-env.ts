// Loaded in every jest worker before its tests: decorator metadata, and this worker's own
// database schema, Redis database and SMTP port (see test-env.ts).
import 'reflect-metadata';
import { useSoftHsmTestStore } from './softhsm';
import { baseEnv, workerEnv } from './test-env';

if (process.env.JEST_NO_SERVICES !== '1') {
  Object.assign(process.env, baseEnv(), workerEnv(Number(process.env.JEST_WORKER_ID ?? 1)));
}
// Every test file of this worker uses the worker's own SoftHSM2 store, never the development one.
useSoftHsmTestStore();
