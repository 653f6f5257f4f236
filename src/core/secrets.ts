import { Inject, type Provider } from '@nestjs/common';
import { ProtectedIdCodec } from '../common/crypto/protected-id';
import { SecretBox } from '../common/crypto/secret-box';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** The purposes SecretBox keys are derived for: each kind of secret has its own key. */
export type SecretPurpose = 'card-puk' | 'staff-totp' | 'reservation-user-code' | 'nhi-otp';

export const secretBoxToken = (purpose: SecretPurpose) => `SecretBox:${purpose}`;

/** A module that keeps a kind of secret provides its box once: `providers: [secretBoxProvider('card-puk')]`. */
export function secretBoxProvider(purpose: SecretPurpose): Provider {
  return { provide: secretBoxToken(purpose), inject: [APP_CONFIG], useFactory: (config: AppConfig) => new SecretBox(config.dataKey, purpose) };
}

/** `@InjectSecretBox('card-puk') private readonly pukBox: SecretBox` */
export const InjectSecretBox = (purpose: SecretPurpose) => Inject(secretBoxToken(purpose));

/** National IDs are protected under DATA_KEY: one codec per process (CoreModule provides it). */
export const protectedIdCodecProvider: Provider = {
  provide: ProtectedIdCodec,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => new ProtectedIdCodec(config.dataKey),
};
