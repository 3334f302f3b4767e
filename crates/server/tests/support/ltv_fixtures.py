#!/usr/bin/env python3
"""Make PAdES test files (B-B .. B-LTA, revoked, certified) with an independent producer.

Usage:
    python3 ltv_fixtures.py INPUT.pdf OUTDIR [--check]

What it makes (all based on INPUT.pdf, all signatures PAdES, /SubFilter
ETSI.CAdES.detached, SHA-256, invisible):

    root.pem            trust anchor of the signer chain AND of the TSA
                        (the TSA chains to the same root, so there is no tsa-root.pem)
    certs/*.pem         every certificate of the test PKI, for convenience
    b-b-p256.pdf        PAdES B-B, ECDSA P-256 signer (root -> intermediate -> signer)
    b-b-rsa.pdf         PAdES B-B, RSA 2048 signer, PKCS#1 v1.5 with SHA-256
    b-b-rsa-pss.pdf     PAdES B-B, the same RSA signer, RSASSA-PSS SHA-256 (MGF1-SHA256, salt 32)
    b-b-rsa-pss-maxsalt.pdf  extra: the same with pyHanko's default PSS salt (222 bytes)
    b-t.pdf             B-B P-256 + signature time-stamp token from the test TSA
    b-lt.pdf            B-T + DSS written by pyHanko: 5 certs (signer, intermediate,
                        OCSP responder, TSA, root), 1 OCSP response (signer: good),
                        1 CRL (the root's: covers intermediate and TSA), 1 VRI entry
    b-lta.pdf           B-LT + document time stamp (pyHanko use_pades_lta), then a DSS
                        update with the VRI entry for the document time stamp
    revoked.pdf         B-T signed by a certificate the CA revoked (keyCompromise)
                        on 2025-06-01, i.e. before signing, plus a DSS added with
                        DocumentSecurityStore.add_dss: the "revoked" OCSP response,
                        the intermediate's CRL that lists it, the root's CRL, 5 certs
                        (pyHanko refuses embed_validation_info for a revoked signer)
    certified-p2.pdf    certification signature (DocMDP P=2) + a later approval
                        signature by the same signer in a pre-existing field
    manifest.json       per file: level, signer algorithm, expectation, number of
                        signatures and document time stamps, revisions (the input
                        is revision 0), DSS contents, times, pyHanko's verdicts;
                        plus the trust anchors

How: the PKI is described by ltv_pki.yml (certomancer) with the fixed test keys
in ltv_keys/, so the certificates are the same on every run (valid 2024/2025 ..
2035+).  Time stamps, OCSP responses and CRLs are produced at run time by
certomancer's services, served in-process by certomancer's aiohttp
"illusionist" on an ephemeral 127.0.0.1 port (its resolver maps the URLs in the
certificates, http://localhost:9/..., to that port).  Nothing leaves the
machine.  pyHanko signs, fetches the revocation data and writes the DSS exactly
as it does for real-world files.

Every run then validates each output in-process with pyHanko and exits non-zero
when a verdict differs from manifest.json's "expect":
  * signature + chain to root.pem, revocation checking off         (all files)
  * revocation checking "require" on ONLY the data in the DSS, no
    fetching: valid -> TRUSTED, revoked.pdf -> REVOKED      (b-lt, b-lta, revoked)
  * AdES (ETSI EN 319 102-1), local data only: 5.5 "with time" for b-lt and
    revoked.pdf, 5.6.3 LTA for b-lta; valid -> PASSED, revoked -> *REVOKED*
  * the document time stamp of b-lta.pdf, DSS data only -> TRUSTED
--check also runs the pyHanko CLI (sign validate --no-revocation-check on all;
sign adesverify --validation-time NOW on the files with a DSS: point-in-time
validation never fetches, so only embedded data is used) and poppler's pdfsig
(-no-ocsp; with a throw-away NSS db trusting root.pem when NSS's certutil is
installed), and prints what they say.  --check output is informational.
The service URLs in the certificates are http://localhost:9/..., so an
accidental fetch by any tool fails at once on this machine.

Because OCSP responses are valid for 30 days and CRLs are re-issued every 30
days, make the files when the tests run rather than checking them in.

Needs: pyhanko==0.38.0 pyhanko-cli==0.6.0 certomancer==0.16.0 (aiohttp comes
with pyhanko-certvalidator).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import hashlib
import json
import logging
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import version as dist_version
from io import BytesIO
from pathlib import Path

try:
    from asn1crypto import algos, crl, ocsp, pem, x509
    from certomancer.integrations.aiohttp_illusionist import AsyncIllusionist
    from certomancer.registry import (
        ArchLabel,
        CertLabel,
        CertomancerConfig,
        KeyLabel,
        ServiceLabel,
    )
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers
    from pyhanko.sign.ades.report import AdESPassed
    from pyhanko.sign.fields import MDPPerm, SigFieldSpec, SigSeedSubFilter
    from pyhanko.sign.general import extract_certificate_info
    from pyhanko.sign.timestamps import HTTPTimeStamper
    from pyhanko.sign.validation import (
        async_validate_pdf_signature,
        async_validate_pdf_timestamp,
    )
    from pyhanko.sign.validation.ades import (
        ades_lta_validation,
        ades_with_time_validation,
    )
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError
    from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
    from pyhanko.sign.validation.policy_decl import (
        CertificateFetchingRule,
        LocalKnowledge,
        PdfSignatureValidationSpec,
        RevinfoOnlineFetchingRule,
        RevocationInfoGatheringSpec,
        SignatureValidationSpec,
    )
    from pyhanko.sign.validation.status import PdfSignatureStatus
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.context import CertValidationPolicySpec
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
    from pyhanko_certvalidator.policy_decl import (
        REQUIRE_REVINFO,
        CertRevTrustPolicy,
        FreshnessReqType,
    )
    from pyhanko_certvalidator.registry import SimpleCertificateStore, SimpleTrustManager
    from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer
except ModuleNotFoundError as e:  # pragma: no cover
    sys.exit(
        f"ltv_fixtures.py: missing Python package ({e.name}); install with\n"
        "  pip install pyhanko==0.38.0 pyhanko-cli==0.6.0 certomancer==0.16.0"
    )

HERE = Path(__file__).resolve().parent
PKI_CONFIG = HERE / "ltv_pki.yml"
ARCH = ArchLabel("signet-ltv")
REVOKED_SINCE = "2025-06-01T00:00:00+00:00"  # must match ltv_pki.yml

log = logging.getLogger("ltv_fixtures")


# --------------------------------------------------------------------------- PKI


class Pki:
    def __init__(self) -> None:
        cfg = CertomancerConfig.from_file(str(PKI_CONFIG))
        self.arch = cfg.get_pki_arch(ARCH)
        self.services = self.arch.service_registry

    def cert(self, label: str) -> x509.Certificate:
        return self.arch.get_cert(CertLabel(label))

    def signer(self, label: str, *, pss_salt: int | None = None,
               pss_max_salt: bool = False) -> signers.SimpleSigner:
        mechanism = None
        if pss_salt is not None:
            # RSASSA-PSS, SHA-256, MGF1-SHA-256, explicit salt length
            mechanism = algos.SignedDigestAlgorithm(
                {
                    "algorithm": "rsassa_pss",
                    "parameters": algos.RSASSAPSSParams(
                        {
                            "hash_algorithm": {"algorithm": "sha256"},
                            "mask_gen_algorithm": {
                                "algorithm": "mgf1",
                                "parameters": {"algorithm": "sha256"},
                            },
                            "salt_length": pss_salt,
                        }
                    ),
                }
            )
        return signers.SimpleSigner(
            signing_cert=self.cert(label),
            signing_key=self.arch.key_set.get_private_key(KeyLabel(label)),
            # the CMS carries signer + intermediate; the root is the anchor
            cert_registry=SimpleCertificateStore.from_certs([self.cert("interm")]),
            signature_mechanism=mechanism,
            # pyHanko's own PSS choice: maximal salt (222 bytes for RSA 2048)
            prefer_pss=pss_max_salt,
        )

    @property
    def root(self) -> x509.Certificate:
        return self.cert("root")

    @property
    def tsa_url(self) -> str:
        return self.services.get_tsa_info(ServiceLabel("tsa")).url

    def ocsp_response(self, label: str, issuer_label: str, at: datetime) -> ocsp.OCSPResponse:
        """An OCSP response straight from certomancer's responder (no request)."""
        cert, issuer = self.cert(label), self.cert(issuer_label)
        responder = self.services.summon_responder(ServiceLabel("interm"), at_time=at)
        cid = ocsp.CertId(
            {
                "hash_algorithm": {"algorithm": "sha1"},
                "issuer_name_hash": issuer.subject.sha1,
                "issuer_key_hash": issuer.public_key.sha1,
                "serial_number": cert.serial_number,
            }
        )
        single = responder.format_single_ocsp_response(cid, issuer)
        return responder.assemble_simple_ocsp_responses([single])

    def crl(self, repo: str, at: datetime) -> crl.CertificateList:
        return self.services.get_crl(ServiceLabel(repo), at_time=at)


def pem_cert(cert: x509.Certificate) -> bytes:
    return pem.armor("CERTIFICATE", cert.dump())


def cn(name: x509.Name) -> str:
    return name.native.get("common_name", name.human_friendly)


# ------------------------------------------------------------------------- signing


def meta(field_name: str, **kw) -> signers.PdfSignatureMetadata:
    return signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason="Signet LTV test fixture",
        location="Signet CI",
        **kw,
    )


async def sign(data: bytes, sig_meta, signer, *, timestamper=None, prepare=None) -> bytes:
    w = IncrementalPdfFileWriter(BytesIO(data))
    if prepare is not None:
        prepare(w)
    out = BytesIO()
    await signers.PdfSigner(sig_meta, signer, timestamper=timestamper).async_sign_pdf(
        w, output=out
    )
    return out.getvalue()


@dataclass
class Fixture:
    file: str
    level: str
    signer_algorithm: str
    expect: str
    notes: str
    signer: str
    embedded_checks: bool = False  # has a DSS to validate revocation against
    extra: dict = field(default_factory=dict)


async def make_all(pki: Pki, input_pdf: bytes, outdir: Path) -> list[Fixture]:
    fixtures: list[Fixture] = []
    p256 = pki.signer("signer-p256")
    p256_alg = "ECDSA P-256 with SHA-256 (ecdsa-with-SHA256)"

    async with AsyncIllusionist(pki.arch).serving_session() as session:
        timestamper = HTTPTimeStamper(pki.tsa_url, session=session)

        def fetching_vc() -> ValidationContext:
            # pyHanko's "--with-validation-info" setting: hard-fail revocation
            # checking, fetching through the in-process services.
            return ValidationContext(
                trust_roots=[pki.root],
                allow_fetching=True,
                fetcher_backend=AIOHttpFetcherBackend(session),
                revocation_mode="hard-fail",
            )

        async def emit(fx: Fixture, data: bytes) -> None:
            (outdir / fx.file).write_bytes(data)
            fixtures.append(fx)
            log.info("wrote %s (%d bytes)", fx.file, len(data))

        # -- B-B, three algorithms ------------------------------------------------
        await emit(
            Fixture("b-b-p256.pdf", "B-B", p256_alg, "valid",
                    "PAdES B-B: no time stamp, no DSS.", "signer-p256"),
            await sign(input_pdf, meta("Signature1"), p256),
        )
        await emit(
            Fixture("b-b-rsa.pdf", "B-B",
                    "RSA 2048 PKCS#1 v1.5 with SHA-256 (sha256WithRSAEncryption)",
                    "valid", "PAdES B-B: no time stamp, no DSS.", "signer-rsa"),
            await sign(input_pdf, meta("Signature1"), pki.signer("signer-rsa")),
        )
        await emit(
            Fixture("b-b-rsa-pss.pdf", "B-B",
                    "RSA 2048 RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 32 (id-RSASSA-PSS)",
                    "valid",
                    "PAdES B-B; same RSA key/certificate as b-b-rsa.pdf "
                    "(the certificate's key is rsaEncryption, only the CMS "
                    "signature uses PSS). Salt length 32 = hash length, the "
                    "usual choice.", "signer-rsa"),
            await sign(input_pdf, meta("Signature1"), pki.signer("signer-rsa", pss_salt=32)),
        )
        await emit(
            Fixture("b-b-rsa-pss-maxsalt.pdf", "B-B",
                    "RSA 2048 RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 222 (id-RSASSA-PSS)",
                    "valid",
                    "Extra: like b-b-rsa-pss.pdf but with pyHanko's default "
                    "PSS parameters (prefer_pss=True): maximal salt length, "
                    "222 bytes. A verifier must take the salt length from the "
                    "parameters, not assume 32.", "signer-rsa"),
            await sign(input_pdf, meta("Signature1"),
                       pki.signer("signer-rsa", pss_max_salt=True)),
        )

        # -- B-T ------------------------------------------------------------------
        await emit(
            Fixture("b-t.pdf", "B-T", p256_alg, "valid",
                    "B-B + signature-time-stamp (unsigned attribute) from the "
                    "test TSA (RSA 2048, issued by the same root).", "signer-p256"),
            await sign(input_pdf, meta("Signature1"), p256, timestamper=timestamper),
        )

        # -- B-LT -----------------------------------------------------------------
        # pyHanko validates the signer (and then the TSA) before/after signing
        # and writes what it fetched into the DSS (+VRI) in a separate revision.
        await emit(
            Fixture("b-lt.pdf", "B-LT", p256_alg, "valid",
                    "Revision 1: signature with time stamp; revision 2: DSS "
                    "(+1 VRI) written by pyHanko (embed_validation_info) from "
                    "what it fetched: OCSP 'good' for the signer (so no CRL "
                    "of the intermediate), the root's CRL (covers the "
                    "intermediate and the TSA), 5 certs incl. signer, OCSP "
                    "responder (ocsp-nocheck) and root. Note: pyHanko fetches "
                    "the OCSP response before signing, so its producedAt is a "
                    "few ms before the signature time stamp.",
                    "signer-p256", embedded_checks=True),
            await sign(
                input_pdf,
                meta("Signature1", embed_validation_info=True,
                     validation_context=fetching_vc()),
                p256,
                timestamper=timestamper,
            ),
        )

        # -- B-LTA ----------------------------------------------------------------
        await emit(
            Fixture("b-lta.pdf", "B-LTA", p256_alg, "valid",
                    "Revision 1: signature with time stamp; revision 2: DSS "
                    "for signer + signature TSA (as in b-lt.pdf) together with "
                    "a document time stamp (/ETSI.RFC3161, field "
                    "DocTimeStamp1; pyHanko use_pades_lta); revision 3: DSS "
                    "update adding the VRI entry for the document time stamp "
                    "(same TSA, so its certs/CRL are already there).",
                    "signer-p256",
                    embedded_checks=True),
            await sign(
                input_pdf,
                meta("Signature1", embed_validation_info=True,
                     validation_context=fetching_vc(), use_pades_lta=True,
                     timestamp_field_name="DocTimeStamp1"),
                p256,
                timestamper=timestamper,
            ),
        )

        # -- revoked --------------------------------------------------------------
        # pyHanko refuses embed_validation_info for a revoked signer (it
        # validates the signer first), so: sign B-T, then add the DSS ourselves.
        signed = await sign(
            input_pdf, meta("Signature1"), pki.signer("signer-revoked"),
            timestamper=timestamper,
        )
        now = datetime.now(timezone.utc)
        r = PdfFileReader(BytesIO(signed))
        emb = r.embedded_regular_signatures[0]
        out = BytesIO(signed)
        DocumentSecurityStore.add_dss(
            out,
            emb.pkcs7_content.hex().encode("ascii"),
            certs=[pki.cert(c) for c in
                   ("signer-revoked", "interm", "interm-ocsp", "tsa", "root")],
            ocsps=[pki.ocsp_response("signer-revoked", "interm", now)],
            crls=[pki.crl("interm", now), pki.crl("root", now)],
        )
        await emit(
            Fixture("revoked.pdf", "B-LT", p256_alg, "revoked",
                    f"Signer certificate revoked (keyCompromise) at "
                    f"{REVOKED_SINCE}, before the signing time and the "
                    "signature time stamp. Revision 2 is a DSS added with "
                    "DocumentSecurityStore.add_dss: OCSP response "
                    "certStatus=revoked for the signer, CRL of the "
                    "intermediate listing it, CRL of the root, chain certs.",
                    "signer-revoked", embedded_checks=True),
            out.getvalue(),
        )

        # -- certified P=2 + approval ----------------------------------------------
        def add_approval_field(w):
            fields.append_signature_field(w, SigFieldSpec(sig_field_name="Approval"))

        certified = await sign(
            input_pdf,
            meta("Certification", certify=True, docmdp_permissions=MDPPerm.FILL_FORMS),
            p256,
            prepare=add_approval_field,
        )
        await emit(
            Fixture("certified-p2.pdf", "B-B", p256_alg, "valid",
                    "Revision 1: empty signature field 'Approval' + "
                    "certification signature 'Certification' (DocMDP "
                    "transform, /P 2 = fill forms and sign). Revision 2: "
                    "approval signature by the same signer filling the "
                    "pre-existing 'Approval' field (an allowed change).",
                    "signer-p256"),
            await sign(certified, meta("Approval"), p256),
        )
    return fixtures


# ------------------------------------------------------------------ inspection


def dss_summary(r: PdfFileReader) -> dict | None:
    try:
        dss = DocumentSecurityStore.read_dss(r)
    except NoDSSFoundError:
        return None
    certs = sorted(cn(c.subject) for c in dss.load_certs())
    ocsps = []
    for ref in dss.ocsps:
        resp = ocsp.OCSPResponse.load(ref.get_object().data)
        basic = resp["response_bytes"]["response"].parsed
        tbs = basic["tbs_response_data"]
        for single in tbs["responses"]:
            status = single["cert_status"]
            ocsps.append(
                {
                    "serial": hex(single["cert_id"]["serial_number"].native),
                    "status": status.name,
                    "revocation_reason": (
                        status.chosen["revocation_reason"].native
                        if status.name == "revoked" else None
                    ),
                    "produced_at": tbs["produced_at"].native.isoformat(),
                    "this_update": single["this_update"].native.isoformat(),
                    "next_update": single["next_update"].native.isoformat(),
                    "responder_certs": [cn(c.subject) for c in basic["certs"]],
                }
            )
    crls = []
    for ref in dss.crls:
        cl = crl.CertificateList.load(ref.get_object().data)
        tbs = cl["tbs_cert_list"]
        crls.append(
            {
                "issuer": cn(tbs["issuer"]),
                "this_update": tbs["this_update"].native.isoformat(),
                "next_update": tbs["next_update"].native.isoformat(),
                "revoked_serials": [
                    hex(rc["user_certificate"].native)
                    for rc in (tbs["revoked_certificates"] or [])
                ],
            }
        )
    return {
        "certs": len(certs),
        "ocsps": len(ocsps),
        "crls": len(crls),
        "vri_entries": len(dss.vri_entries),
        "cert_subjects": certs,
        "ocsp_responses": ocsps,
        "crl_list": crls,
    }


def describe(path: Path) -> dict:
    with path.open("rb") as f:
        r = PdfFileReader(f)
        sigs = []
        for emb in r.embedded_signatures:
            si = emb.signer_info
            alg = si["signature_algorithm"]
            info = {
                "field": emb.field_name,
                "type": "doc-timestamp" if emb.sig_object_type == "/DocTimeStamp" else "signature",
                "subfilter": str(emb.sig_object.get("/SubFilter")),
                "signed_revision": emb.signed_revision,
                "cms_signature_algorithm": alg["algorithm"].native,
                "digest_algorithm": si["digest_algorithm"]["algorithm"].native,
                "signer": cn(emb.signer_cert.subject),
            }
            if alg["algorithm"].native == "rsassa_pss":
                p = alg["parameters"]
                info["pss"] = {
                    "hash": p["hash_algorithm"]["algorithm"].native,
                    "mgf": p["mask_gen_algorithm"]["parameters"]["algorithm"].native,
                    "salt_length": p["salt_length"].native,
                }
            if emb.self_reported_timestamp is not None:
                info["signing_time"] = emb.self_reported_timestamp.isoformat()
            for tst in extract_tst_data_iter(si, signed=False):
                tst_info = tst["encap_content_info"]["content"].parsed
                info["signature_timestamp"] = tst_info["gen_time"].native.isoformat()
                info["tsa"] = cn(extract_certificate_info(tst).signer_cert.subject)
            if emb.sig_object_type == "/DocTimeStamp":
                tst_info = emb.signed_data["encap_content_info"]["content"].parsed
                info["timestamp"] = tst_info["gen_time"].native.isoformat()
            docmdp = emb.docmdp_level
            if docmdp is not None:
                info["docmdp_p"] = docmdp.value
            sigs.append(info)
        log_ = []
        for rev in range(r.xrefs.total_revisions):
            root = r.get_historical_root(rev)
            entry: dict = {"revision": rev}
            if rev == 0:
                entry["content"] = "input document"
            signed_here = [s["field"] for s in sigs if s["signed_revision"] == rev]
            if signed_here:
                entry["signed_fields"] = signed_here
            dss_obj = root.get("/DSS")
            if dss_obj is not None:
                dss_obj = dss_obj.get_object()
                entry["dss"] = {
                    k.lstrip("/"): len(dss_obj[k].get_object())
                    for k in ("/Certs", "/OCSPs", "/CRLs", "/VRI") if k in dss_obj
                }
            log_.append(entry)
        return {
            "revision_log": log_,
            "revisions": r.xrefs.total_revisions,
            "signatures": sum(1 for s in sigs if s["type"] == "signature"),
            "document_timestamps": sum(1 for s in sigs if s["type"] == "doc-timestamp"),
            "signature_details": sigs,
            "dss": dss_summary(r),
        }


# ------------------------------------------------------------------ validation


def embedded_only_vc(pki: Pki, r: PdfFileReader) -> ValidationContext:
    """Revocation checking "require" on DSS data only; no fetching at all."""
    dss = DocumentSecurityStore.read_dss(r)
    return ValidationContext(
        trust_roots=[pki.root],
        other_certs=list(dss.load_certs()),
        ocsps=[ref.get_object().data for ref in dss.ocsps],
        crls=[ref.get_object().data for ref in dss.crls],
        allow_fetching=False,
        revocation_mode="require",
    )


def ades_sig_spec(pki: Pki, r: PdfFileReader) -> SignatureValidationSpec:
    """AdES policy: revocation info required, local data only (never fetch).

    For "with time" validation the DSS contents are handed over as local
    knowledge; ades_lta_validation reads the DSS itself.
    """
    dss = DocumentSecurityStore.read_dss(r)
    return SignatureValidationSpec(
        cert_validation_policy=CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(trust_roots=[pki.root]),
            revinfo_policy=CertRevTrustPolicy(
                REQUIRE_REVINFO,
                freshness=None,
                freshness_req_type=FreshnessReqType.MAX_DIFF_REVOCATION_VALIDATION,
            ),
        ),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY,
            certificate_fetching_rule=CertificateFetchingRule.NEVER_FETCH,
        ),
        local_knowledge=LocalKnowledge(
            known_ocsps=[
                c for ref in dss.ocsps
                for c in OCSPContainer.load_multi(ocsp.OCSPResponse.load(ref.get_object().data))
            ],
            known_crls=[
                CRLContainer(crl_data=crl.CertificateList.load(ref.get_object().data))
                for ref in dss.crls
            ],
            known_certs=list(dss.load_certs()),
        ),
    )


async def ades_validate(pki: Pki, r: PdfFileReader, emb, level: str):
    """ETSI EN 319 102-1: 5.6.3 (LTA) when there is a document time stamp,
    else 5.5 (signatures with time / with long-term validation material).
    pyHanko's LTA process always runs past-signature validation, which needs
    proof of existence from a document time stamp: without one (B-LT) it ends
    in INDETERMINATE/NO_POE, so B-LT is judged by the 5.5 process."""
    spec = ades_sig_spec(pki, r)
    if level == "B-LTA":
        return "LTA (5.6.3)", await ades_lta_validation(
            emb, PdfSignatureValidationSpec(dataclasses.replace(spec, local_knowledge=LocalKnowledge()))
        )
    return "with-time (5.5)", await ades_with_time_validation(
        signed_data=emb.signed_data,
        validation_spec=spec,
        raw_digest=emb.compute_digest(),
        extra_status_kwargs=emb.summarise_integrity_info(),
        status_cls=PdfSignatureStatus,
    )


def status_line(st) -> str:
    bits = [st.summary()]
    if getattr(st, "revoked", False):
        rd = st.revocation_details
        bits.append(f"revoked(reason={rd.revocation_reason.native}, date={rd.revocation_date.isoformat()})")
    if getattr(st, "trust_problem_indic", None) is not None:
        bits.append(f"trust_problem={st.trust_problem_indic}")
    if getattr(st, "coverage", None) is not None:
        bits.append(f"coverage={st.coverage.name}")
    if getattr(st, "modification_level", None) is not None:
        bits.append(f"modifications={st.modification_level.name}")
    if getattr(st, "docmdp_ok", None) is not None:
        bits.append(f"docmdp_ok={st.docmdp_ok}")
    ts = getattr(st, "timestamp_validity", None)
    if ts is not None:
        bits.append(f"sig-timestamp={ts.summary()}@{ts.timestamp.isoformat()}")
    return " ".join(bits)


async def validate_inprocess(pki: Pki, outdir: Path, fixtures: list[Fixture]) -> list[str]:
    """Validate each file with pyHanko; return the list of mismatches."""
    problems: list[str] = []
    print("\n== pyHanko in-process validation ==")
    for fx in fixtures:
        path = outdir / fx.file
        with path.open("rb") as f:
            r = PdfFileReader(f)
            verdicts: dict[str, list] = {"no_revocation_check": [], "embedded_revinfo": [], "ades": []}
            for emb in r.embedded_regular_signatures:
                # 1. integrity + chain to root.pem, revocation not checked
                vc = ValidationContext(trust_roots=[pki.root], revocation_mode="soft-fail")
                st = await async_validate_pdf_signature(
                    emb, signer_validation_context=vc, ts_validation_context=vc
                )
                line = status_line(st)
                verdicts["no_revocation_check"].append(line)
                print(f"{fx.file} [{emb.field_name}] no-revocation-check: {line}")
                ok = st.intact and st.valid and st.trusted and st.bottom_line
                if not ok:
                    problems.append(f"{fx.file}/{emb.field_name}: not INTACT+TRUSTED without revocation checking: {line}")
                if fx.level in ("B-T", "B-LT", "B-LTA") and st.timestamp_validity is None:
                    problems.append(f"{fx.file}: no signature time stamp found")
                if fx.level in ("B-T", "B-LT", "B-LTA") and st.timestamp_validity is not None \
                        and not st.timestamp_validity.trusted:
                    problems.append(f"{fx.file}: signature time stamp not trusted")
                if not fx.embedded_checks:
                    continue
                # 2. revocation required, DSS data only
                vc = embedded_only_vc(pki, r)
                st = await async_validate_pdf_signature(
                    emb, signer_validation_context=vc, ts_validation_context=vc
                )
                line = status_line(st)
                verdicts["embedded_revinfo"].append(line)
                print(f"{fx.file} [{emb.field_name}] revocation=require, DSS only: {line}")
                if fx.expect == "valid" and not (st.trusted and st.bottom_line):
                    problems.append(f"{fx.file}: not TRUSTED with embedded revocation data: {line}")
                if fx.expect == "revoked" and not (st.revoked and not st.trusted):
                    problems.append(f"{fx.file}: not REVOKED with embedded revocation data: {line}")
                # 3. AdES validation (ETSI EN 319 102-1), local data only
                process, res = await ades_validate(pki, r, emb, fx.level)
                ades = f"{process}: {res.ades_subindic}"
                if res.failure_msg:
                    ades += f" ({res.failure_msg})"
                verdicts["ades"].append(ades)
                print(f"{fx.file} [{emb.field_name}] AdES, local data only: {ades}")
                passed = res.ades_subindic == AdESPassed.OK
                if fx.expect == "valid" and not passed:
                    problems.append(f"{fx.file}: AdES verdict {ades}, expected PASSED")
                if fx.expect == "revoked" and "REVOKED" not in str(res.ades_subindic):
                    problems.append(f"{fx.file}: AdES verdict {ades}, expected *REVOKED*")
            for emb in r.embedded_timestamp_signatures:
                vc = embedded_only_vc(pki, r) if fx.embedded_checks else \
                    ValidationContext(trust_roots=[pki.root], revocation_mode="soft-fail")
                st = await async_validate_pdf_timestamp(emb, validation_context=vc)
                line = status_line(st)
                verdicts.setdefault("document_timestamp", []).append(line)
                print(f"{fx.file} [{emb.field_name}] document time stamp (DSS only): {line}")
                if not (st.intact and st.valid and st.trusted):
                    problems.append(f"{fx.file}: document time stamp not INTACT+TRUSTED: {line}")
            fx.extra["pyhanko_verdicts"] = {k: v for k, v in verdicts.items() if v}
    return problems


# ----------------------------------------------------------------- CLI checks


def run(cmd: list[str], cwd: Path) -> tuple[str, str, int]:
    """Run a tool; return (printable transcript, stdout, exit code)."""
    shown = " ".join(Path(c).name if c.startswith("/") and c.endswith(("/pyhanko", "/pdfsig"))
                     else c for c in cmd)
    t0 = time.monotonic()
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)
    # drop pyHanko's logged tracebacks; keep its summary lines and warnings
    err = "\n".join(
        ln for ln in p.stderr.splitlines()
        if ln.strip() and not ln.startswith((" ", "Traceback", "The above exception"))
        and not ln.startswith(("pyhanko_certvalidator.", "pyhanko."))
    )
    out = (p.stdout.strip() + ("\n" + err if err else "")).strip()
    return (f"$ {shown}\n{out}\n[exit {p.returncode}, {time.monotonic() - t0:.1f}s]",
            p.stdout, p.returncode)


def cli_checks(outdir: Path, fixtures: list[Fixture]) -> list[str]:
    """pyHanko CLI (pyhanko-cli 0.6.0) on every file, then pdfsig.

    * ``sign validate --no-revocation-check``: integrity + trust to root.pem.
      (``sign validate`` never reads the DSS; with revocation checking on it
      would fetch from the URLs in the certificates.)
    * ``sign adesverify --validation-time T``: AdES validation that requires
      revocation info; a point-in-time ("historical") validation never
      fetches, so only what is embedded (DSS) is used.  Without
      --validation-time adesverify tries the OCSP/CRL URLs first and, when
      that fails, ignores the DSS (INTACT:UNTRUSTED) - so T is the current
      time, rounded down to a second that is after everything was made.
    * ``pdfsig -no-ocsp``: every regular signature must be "Signature is
      Valid."  poppler cannot check /ETSI.RFC3161 document time stamps, and
      poppler 22.12 (Debian 12) reports "Unknown issue with Certificate or
      corrupted data" even when NSS accepted the chain (it reads a stale
      PORT_GetError() - SEC_ERROR_EXTENSION_NOT_FOUND from a name-constraints
      lookup - after CERT_PKIXVerifyCert succeeded), so its certificate
      verdict is printed, not checked.

    Returns the list of verdicts that differ from the expectation.
    """
    problems: list[str] = []
    pyhanko = shutil.which("pyhanko")
    base = [pyhanko] if pyhanko else [sys.executable, "-m", "pyhanko"]
    time.sleep(1.05 - (time.time() % 1))  # the next whole second: after all revinfo
    vtime = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    trust = ["--trust", "root.pem", "--trust-replace"]
    print("\n== pyHanko CLI ==")
    for fx in fixtures:
        text, stdout, rc = run(base + ["sign", "validate", *trust, "--no-revocation-check",
                                       fx.file], outdir)
        print(text)
        lines = [ln for ln in stdout.splitlines() if ln.strip()]
        if rc != 0 or not lines or not all(":INTACT:TRUSTED" in ln for ln in lines):
            problems.append(f"CLI sign validate {fx.file}: expected INTACT:TRUSTED, exit 0")
        if fx.embedded_checks:
            text, stdout, rc = run(base + ["sign", "adesverify", *trust, "--validation-time",
                                           vtime, fx.file], outdir)
            print(text)
            want, want_rc = (":INTACT:TRUSTED", 0) if fx.expect == "valid" else (":INTACT:REVOKED", 1)
            if rc != want_rc or want not in stdout:
                problems.append(f"CLI sign adesverify {fx.file}: expected {want[1:]}, exit {want_rc}")
    pdfsig = shutil.which("pdfsig")
    if not pdfsig:
        print("\npdfsig not installed; skipped")
        return problems
    print("\n== pdfsig (poppler) ==")
    nss = []
    certutil = shutil.which("certutil")
    tmp = None
    if certutil:
        tmp = tempfile.mkdtemp(prefix="ltv-nss-")
        subprocess.run([certutil, "-N", "-d", f"sql:{tmp}", "--empty-password"],
                       check=True, capture_output=True)
        subprocess.run([certutil, "-A", "-d", f"sql:{tmp}", "-n", "signet-ltv-root",
                        "-t", "CT,C,C", "-i", str(outdir / "root.pem")],
                       check=True, capture_output=True)
        nss = ["-nssdir", f"sql:{tmp}"]
        print("(throw-away NSS db that trusts root.pem)")
    else:
        print("(certutil not installed: pdfsig's default NSS db does not trust root.pem)")
    try:
        for fx in fixtures:
            text, stdout, rc = run([pdfsig, *nss, "-no-ocsp", fx.file], outdir)
            print(text.replace(tmp, "$NSSDB") if tmp else text)
            valid = stdout.count("Signature Validation: Signature is Valid.")
            want = sum(1 for _ in PdfFileReader(BytesIO((outdir / fx.file).read_bytes()))
                       .embedded_regular_signatures)
            if rc != 0 or valid != want:
                problems.append(f"pdfsig {fx.file}: {valid} of {want} signatures 'Valid'")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return problems


# ------------------------------------------------------------------------ main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input", type=Path, help="PDF to sign (never modified)")
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--check", action="store_true",
                    help="also run the pyHanko CLI and pdfsig on every output")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.ERROR,
        format="%(levelname)s %(name)s: %(message)s",
    )
    t0 = time.monotonic()
    input_pdf = args.input.read_bytes()
    outdir: Path = args.outdir
    outdir.mkdir(parents=True, exist_ok=True)

    pki = Pki()
    (outdir / "root.pem").write_bytes(pem_cert(pki.root))
    (outdir / "certs").mkdir(exist_ok=True)
    for label in ("root", "interm", "interm-ocsp", "tsa", "signer-p256",
                  "signer-rsa", "signer-revoked"):
        (outdir / "certs" / f"{label}.pem").write_bytes(pem_cert(pki.cert(label)))

    fixtures = asyncio.run(make_all(pki, input_pdf, outdir))
    problems = asyncio.run(validate_inprocess(pki, outdir, fixtures))

    entries = []
    for fx in fixtures:
        d = describe(outdir / fx.file)
        entries.append(
            {
                "file": fx.file,
                "level": fx.level,
                "signer_algorithm": fx.signer_algorithm,
                "expect": fx.expect,
                "signatures": d["signatures"],
                "document_timestamps": d["document_timestamps"],
                "revisions": d["revisions"],
                "revision_log": d["revision_log"],
                "notes": fx.notes,
                "signer_cert": f"certs/{fx.signer}.pem",
                "signature_details": d["signature_details"],
                "dss": d["dss"],
                **fx.extra,
            }
        )
    manifest = {
        "generator": "crates/server/tests/support/ltv_fixtures.py",
        "producer": ", ".join(
            f"{d} {dist_version(d)}"
            for d in ("pyHanko", "pyhanko-certvalidator", "certomancer")
        ),
        "generated_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "input": {"name": args.input.name,
                  "sha256": hashlib.sha256(input_pdf).hexdigest()},
        "trust_anchors": {"signer": "root.pem", "tsa": "root.pem"},
        "revoked_signer_revocation": {"date": REVOKED_SINCE, "reason": "key_compromise"},
        "files": entries,
    }
    (outdir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")

    print("\n== files ==")
    for e in entries:
        dss = e["dss"]
        dss_s = (f"DSS certs={dss['certs']} ocsps={dss['ocsps']} crls={dss['crls']} "
                 f"vri={dss['vri_entries']}") if dss else "no DSS"
        print(f"{e['file']:24} {e['level']:6} sigs={e['signatures']} "
              f"docts={e['document_timestamps']} revs={e['revisions']} {dss_s} "
              f"expect={e['expect']}")

    if args.check:
        problems += cli_checks(outdir, fixtures)

    print(f"\n{len(entries)} files in {outdir} in {time.monotonic() - t0:.1f}s")
    if problems:
        print("\nFAILED expectations:", *problems, sep="\n  ", file=sys.stderr)
        return 1
    print("all verdicts as expected" + (" (pyHanko in-process, pyHanko CLI, pdfsig)"
                                        if args.check else " (pyHanko in-process)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
