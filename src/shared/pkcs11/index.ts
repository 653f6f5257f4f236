/**
 * A typed wrapper over pkcs11js (PKCS#11 2.40), shared by the reader helper (card login on the
 * user's PC) and the server (the development CA's signer, `dev card create`). Node built-ins and
 * pkcs11js only, so the helper stays small.
 */
export { certificateFields, DerError, ecdsaSignatureDer } from './der';
export type { CertificateDerFields } from './der';
export { createDevelopmentCard, createNhiDevelopmentCard, DEVELOPMENT_CARD_PROFILE, NHI_CARD_NUMBER_PATTERN, writeCardCertificate } from './development-card';
export type { CreateDevelopmentCardOptions, CreateNhiDevelopmentCardOptions, DevelopmentCard, WriteCardCertificateOptions, WrittenCertificate } from './development-card';
export { TokenError } from './errors';
export type { TokenErrorKind } from './errors';
export { curveOfParams, curveSize, ecParams, ecSpki, HASH_LENGTH, rsaSpki } from './keys';
export type { HashName, KeyType, NamedCurve, SignatureScheme } from './keys';
export { assertTokenLabel, closeAllPkcs11Modules, Pkcs11Module, TOKEN_LABEL_BYTES } from './module';
export type { ModuleInfo, Slot, TokenFlags, TokenInfo, TokenSlot } from './module';
export { labelText, Pkcs11Session } from './session';
export type { GeneratedKeyPair, StoredCertificate, StoredData, StoredPublicKey, UserType } from './session';
