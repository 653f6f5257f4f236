// OCSPRequest schema (RFC 6960 section 4.1.1) with a fix for @peculiar/asn1-ocsp 2.6.1: its
// Request class declares `singleRequestExtensions` without the `[0] EXPLICIT` tag, so a valid
// request whose CertID carries single-request extensions fails to parse ("Data does not match to
// Request ASN1 schema"). These three classes replace Request, TBSRequest and OCSPRequest and reuse
// the library's CertID, Signature and Extension. They are standalone rather than subclasses
// because asn1-schema copies a parent's compiled schema into a subclass, so an override would be
// ignored whenever the library's class had been used first. Drop this file when the library is
// fixed (the unit test "parses single-request extensions" shows whether it is).
import { AsnProp, AsnPropTypes } from '@peculiar/asn1-schema';
import { Extension, GeneralName } from '@peculiar/asn1-x509';
import { CertID, Signature, Version } from '@peculiar/asn1-ocsp';

/** Request ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL } */
export class OcspSingleRequestSchema {
  @AsnProp({ type: CertID })
  reqCert = new CertID();

  @AsnProp({ type: Extension, repeated: 'sequence', context: 0, optional: true })
  singleRequestExtensions?: Extension[];
}

/**
 * TBSRequest ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1, requestorName [1] EXPLICIT
 * GeneralName OPTIONAL, requestList SEQUENCE OF Request, requestExtensions [2] EXPLICIT Extensions OPTIONAL }
 */
export class OcspTbsRequestSchema {
  @AsnProp({ type: AsnPropTypes.Integer, context: 0, defaultValue: Version.v1 })
  version: number = Version.v1;

  @AsnProp({ type: GeneralName, context: 1, optional: true })
  requestorName?: GeneralName;

  @AsnProp({ type: OcspSingleRequestSchema, repeated: 'sequence' })
  requestList: OcspSingleRequestSchema[] = [];

  @AsnProp({ type: Extension, context: 2, optional: true, repeated: 'sequence' })
  requestExtensions?: Extension[];
}

/** OCSPRequest ::= SEQUENCE { tbsRequest TBSRequest, optionalSignature [0] EXPLICIT Signature OPTIONAL } */
export class OcspRequestSchema {
  @AsnProp({ type: OcspTbsRequestSchema })
  tbsRequest = new OcspTbsRequestSchema();

  @AsnProp({ type: Signature, optional: true, context: 0 })
  optionalSignature?: Signature;
}
