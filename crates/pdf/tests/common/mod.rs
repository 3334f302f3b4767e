//! Shared by the PDF engine's tests: a test PKI made with the openssl CLI (root CA, signers,
//! a TSA answering with `openssl ts -reply`, an offline OCSP responder, a CRL), and tool checks
//! that skip outside CI and fail in CI.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use signet_pdf::ltv::DssMaterial;
use signet_pdf::verify::{VerifyOptions, anchors_from};
use signet_pdf::{Level, Pades, PdfError, Signature, SignatureSpec, Visible};
use signet_pki::sign::KeyAlgorithm;
use signet_pki::sign::{SigningKey, parse_certificates_pem};
use signet_pki::verify::ocsp_request_der;
use x509_cert::Certificate;
use x509_cert::der::Encode;

// ------------------------------------------------------------------------------------------
// A store read in small blocks
// ------------------------------------------------------------------------------------------

/// A document behind the engine's [`signet_pdf::Store`] as a file would be (never handed over
/// as a slice), read `block` bytes at a time: every parse of a small test file then starts or
/// ends at a border of what was read. Counts the bytes read.
pub struct Blocks {
    pub data: Vec<u8>,
    pub block: usize,
    pub read: std::cell::Cell<usize>,
}

impl Blocks {
    pub fn new(data: Vec<u8>, block: usize) -> Self {
        Self {
            data,
            block,
            read: Default::default(),
        }
    }
}

impl signet_pdf::Store for Blocks {
    fn len(&self) -> u64 {
        self.data.len() as u64
    }
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
        self.read.set(self.read.get() + buf.len());
        signet_pdf::Store::read_exact_at(&self.data, buf, offset)
    }
    fn write_all_at(&mut self, bytes: &[u8], offset: u64) -> std::io::Result<()> {
        signet_pdf::Store::write_all_at(&mut self.data, bytes, offset)
    }
    fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        signet_pdf::Store::append(&mut self.data, bytes)
    }
    fn truncate(&mut self, len: u64) -> std::io::Result<()> {
        signet_pdf::Store::truncate(&mut self.data, len)
    }
    fn read_block(&self) -> usize {
        self.block
    }
}

/// A one-page A4 "scan": a grey image of about `size` bytes (uncompressed noise) drawn over
/// the page, with a classic xref table. Most of the file is the image's stream body.
pub fn scanned_pdf(size: usize) -> Vec<u8> {
    let width = 2048usize;
    let height = size.div_ceil(width).max(1);
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let data: Vec<u8> = (0..width * height)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    let content = b"q 595.303937007874 0 0 841.889763779528 0 0 cm /Im1 Do Q".to_vec();
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    let mut object = |out: &mut Vec<u8>, body: &[u8]| {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    };
    object(&mut out, b"<< /Type /Catalog /Pages 2 0 R >>");
    object(&mut out, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    object(
        &mut out,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.303937007874 841.889763779528] \
          /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>",
    );
    let stream = |dict: String, body: &[u8]| {
        let mut b = dict.into_bytes();
        b.extend_from_slice(b"\nstream\n");
        b.extend_from_slice(body);
        b.extend_from_slice(b"\nendstream");
        b
    };
    let contents = stream(format!("<< /Length {} >>", content.len()), &content);
    let image = stream(
        format!(
            "<< /Type /XObject /Subtype /Image /Width {width} /Height {height} \
             /ColorSpace /DeviceGray /BitsPerComponent 8 /Length {} >>",
            data.len()
        ),
        &data,
    );
    object(&mut out, &contents);
    object(&mut out, &image);
    let xref_at = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f\r\n", offsets.len() + 1).as_bytes(),
    );
    for o in &offsets {
        out.extend_from_slice(format!("{o:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    out
}

// ------------------------------------------------------------------------------------------
// A test PKI made with openssl
// ------------------------------------------------------------------------------------------

pub fn corpus(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/pdf")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

use signet_testkit::openssl::{Issue, KeyKind, OpensslCa};
pub use signet_testkit::openssl::{openssl, run};

pub const EXTENSIONS: &[(&str, &str)] = &[
    (
        "signer.ext",
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nauthorityInfoAccess=OCSP;URI:http://ocsp.signet.test/\n",
    ),
    (
        "tsa.ext",
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nauthorityInfoAccess=OCSP;URI:http://ocsp.signet.test/\n",
    ),
    (
        "ocsp.ext",
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=OCSPSigning\nnoCheck=ignored\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    ),
];

const ROOT_EXT: &str = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n";

pub const CA_CNF: &str = "[ ca ]\ndefault_ca = CA_default\n[ CA_default ]\ndir = .\ndatabase = ./index.txt\nnew_certs_dir = ./newcerts\nserial = ./serial\ncrlnumber = ./crlnumber\ncertificate = ./root.pem\nprivate_key = ./root.key\ndefault_md = sha256\ndefault_crl_days = 30\npolicy = policy_any\nunique_subject = no\n[ policy_any ]\ncommonName = supplied\n";

/// `openssl ts` signs with PKCS#7, which has no SM2: the TSA key is P-256 in both PKIs.
pub fn ts_cnf() -> &'static str {
    "[ tsa ]\ndefault_tsa = tsa_config1\n[ tsa_config1 ]\ndir = .\nserial = ./tsaserial\ncrypto_device = builtin\nsigner_cert = ./tsa.pem\ncerts = ./root.pem\nsigner_key = ./tsa.key\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\nother_policies = 1.2.3.4.5\ndigests = sha256, sha384, sha512\naccuracy = secs:1\nordering = yes\ntsa_name = yes\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n"
}

/// Root CA, signer, TSA and OCSP responder, all issued by the root; P-256 or SM2 (the TSA is
/// P-256 in both), made by the PKI fixture ([`signet_testkit::openssl`]). The root is also an
/// `openssl ca` database, for `openssl ocsp` and `openssl ca -gencrl`.
pub struct Pki {
    pub ca: OpensslCa,
    pub sm2: bool,
}

impl Pki {
    pub fn new(sm2: bool) -> Self {
        let kind = if sm2 { KeyKind::Sm2 } else { KeyKind::P256 };
        let ca = OpensslCa::new(kind, "/O=Signet/CN=Signet LTV Test Root", ROOT_EXT);
        for (name, text) in EXTENSIONS {
            ca.write(name, text);
        }
        std::fs::create_dir_all(ca.file("newcerts")).unwrap();
        ca.write("index.txt", "");
        ca.write("serial", "1000\n");
        ca.write("crlnumber", "1000\n");
        ca.write("tsaserial", "01\n");
        ca.write("ca.cnf", CA_CNF);
        ca.write("ts.cnf", ts_cnf());
        let pki = Self { ca, sm2 };
        pki.issue("signer", "/O=Signet/CN=Signet LTV Test Signer", "4242", sm2);
        pki.issue("tsa", "/O=Signet/CN=Signet LTV Test TSA", "4243", false);
        pki.issue("ocsp", "/O=Signet/CN=Signet LTV Test OCSP", "4244", sm2);
        pki
    }

    pub fn path(&self) -> &Path {
        self.ca.path()
    }

    /// `<name>.key` (SM2 or P-256) and `<name>.pem` (extensions `<name>.ext`), issued by the
    /// root and registered in the CA database for `openssl ocsp` and `openssl ca -gencrl`.
    pub fn issue(&self, name: &str, subject: &str, serial: &str, sm2: bool) {
        let kind = if sm2 { KeyKind::Sm2 } else { KeyKind::P256 };
        let pem = self
            .ca
            .issue(Issue::new(name, subject).serial(serial).kind(kind));
        if !self.sm2 {
            let pem = pem.display().to_string();
            openssl(self.path(), &["ca", "-config", "ca.cnf", "-valid", &pem]);
        }
    }

    /// Another end-entity signer `<name>` issued by the root, with the signer's extensions.
    pub fn add_signer(&self, name: &str, subject: &str, serial: &str) {
        std::fs::copy(self.file("signer.ext"), self.file(&format!("{name}.ext"))).unwrap();
        self.issue(name, subject, serial, self.sm2);
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.path().join(name)
    }

    pub fn cert(&self, name: &str) -> Certificate {
        let pem = std::fs::read_to_string(self.file(&format!("{name}.pem"))).unwrap();
        parse_certificates_pem(&pem).unwrap().remove(0)
    }

    pub fn cert_der(&self, name: &str) -> Vec<u8> {
        self.cert(name).to_der().unwrap()
    }

    pub fn key(&self, name: &str) -> SigningKey {
        SigningKey::from_pem(&std::fs::read_to_string(self.file(&format!("{name}.key"))).unwrap())
            .unwrap()
    }

    /// A timestamp token from `openssl ts -reply` on a SHA-256 digest.
    pub fn timestamp(&self, digest: &[u8]) -> Result<Vec<u8>, String> {
        let d = self.path();
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        openssl(
            d,
            &[
                "ts", "-query", "-digest", &hex, "-sha256", "-cert", "-out", "req.tsq",
            ],
        );
        let args = [
            "ts",
            "-reply",
            "-config",
            "ts.cnf",
            "-queryfile",
            "req.tsq",
            "-inkey",
            "tsa.key",
            "-signer",
            "tsa.pem",
            "-token_out",
            "-out",
            "token.der",
        ];
        let out = run(d, "openssl", &args);
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        std::fs::read(d.join("token.der")).map_err(|e| e.to_string())
    }

    /// An OCSP response ("good") for `<name>.pem` from the delegated responder, offline.
    pub fn ocsp(&self, name: &str) -> Vec<u8> {
        let d = self.path();
        let req = ocsp_request_der(&self.cert(name), &self.cert("root")).unwrap();
        std::fs::write(d.join("ocsp-req.der"), req).unwrap();
        let out = format!("ocsp-{name}.der");
        openssl(
            d,
            &[
                "ocsp",
                "-index",
                "index.txt",
                "-CA",
                "root.pem",
                "-rsigner",
                "ocsp.pem",
                "-rkey",
                "ocsp.key",
                "-reqin",
                "ocsp-req.der",
                "-respout",
                &out,
                "-ndays",
                "7",
            ],
        );
        std::fs::read(d.join(out)).unwrap()
    }

    /// The root's CRL (nothing revoked), DER.
    pub fn crl(&self) -> Vec<u8> {
        let d = self.path();
        openssl(
            d,
            &["ca", "-config", "ca.cnf", "-gencrl", "-out", "root.crl.pem"],
        );
        openssl(
            d,
            &[
                "crl",
                "-in",
                "root.crl.pem",
                "-outform",
                "DER",
                "-out",
                "root.crl",
            ],
        );
        std::fs::read(d.join("root.crl")).unwrap()
    }

    /// Everything a validator needs for the signer and the TSA: the chain certificates, OCSP
    /// responses for the signer and the TSA, the responder's certificate, the root's CRL.
    pub fn material(&self) -> DssMaterial {
        DssMaterial {
            certs: ["root", "signer", "tsa", "ocsp"]
                .iter()
                .map(|n| self.cert_der(n))
                .collect(),
            ocsps: vec![self.ocsp("signer"), self.ocsp("tsa")],
            crls: vec![self.crl()],
        }
    }

    pub fn options(&self, now: DateTime<Utc>) -> VerifyOptions {
        let pem = std::fs::read(self.file("root.pem")).unwrap();
        let mut options = VerifyOptions::new(anchors_from(&pem).unwrap());
        options.now = now;
        options
    }

    pub fn sign_bt(&self, input: Vec<u8>) -> Result<Vec<u8>, PdfError> {
        let spec = SignatureSpec::new(Visible::Invisible, Utc::now());
        let signature = Signature {
            spec,
            key: self.key("signer"),
            signer: self.cert("signer"),
            chain: vec![self.cert("root")],
        };
        let tsa = |_: KeyAlgorithm, digest: &[u8]| self.timestamp(digest);
        Pades::new(Level::BT, Some(&tsa)).sign(input, &[signature])
    }
}

pub fn have(tool: &str) -> bool {
    signet_testkit::have_command(tool)
}

pub fn in_ci() -> bool {
    signet_testkit::in_ci()
}

/// `true` when every tool is present; otherwise skip (or fail in CI).
pub fn tools(list: &[&str]) -> bool {
    signet_testkit::require_commands(list)
}
