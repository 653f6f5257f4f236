/**
 * The card reader helper: runs on the user's PC, listens on 127.0.0.1 only, and lets the pages
 * of the allowed origins read the card's certificate and have the card sign a login challenge
 * (Web eID token), change or unlock its PIN and open it. The PIN goes from the page to the card's
 * PKCS#11 module and nowhere else. It imports nothing from the server: only src/shared.
 *
 *   node dist/src/reader-helper/main.js
 *
 * Settings: HELPER_PORT, HELPER_ALLOWED_ORIGINS, PKCS11_MODULE, HELPER_TOKEN_LABEL_PREFIX (see
 * config.ts); SoftHSM2 reads its token store location from SOFTHSM2_CONF.
 */
import { closeAllPkcs11Modules } from '../shared/pkcs11';
import { READER_HELPER_VERSION } from '../shared/web-eid';
import { HelperConfigError, loadHelperConfig } from './config';
import { createReaderHelper } from './helper-server';

export { createReaderHelper } from './helper-server';
export type { ReaderHelper, ReaderHelperOptions } from './helper-server';
export { loadHelperConfig } from './config';
export type { HelperConfig } from './config';

async function main(): Promise<void> {
  const config = loadHelperConfig(process.env);
  const helper = await createReaderHelper(config);
  process.stdout.write(
    JSON.stringify({
      time: new Date().toISOString(),
      msg: 'reader helper listening',
      version: READER_HELPER_VERSION,
      url: helper.url,
      allowedOrigins: config.allowedOrigins,
      module: config.modulePath,
      labelPrefix: config.labelPrefix,
    }) + '\n',
  );
  const shutdown = () => {
    helper.close().finally(() => {
      closeAllPkcs11Modules();
      process.exit(0);
    });
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    const message = error instanceof HelperConfigError ? error.message : error instanceof Error ? error.message : String(error);
    process.stderr.write(`reader helper: ${message}\n`);
    process.exit(1);
  });
}
