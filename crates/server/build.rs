//! Embeds the CJK font into the `signet` binary when it is available at build time
//! (`SIGNET_CJK_FONT`, else Debian's fonts-wqy-microhei, which `make` installs): date stamps,
//! generated seals, page images and evidence reports then need no font on the machine that
//! runs the binary. WenQuanYi Micro Hei is licensed Apache-2.0 (or GPL-3.0 with the font
//! exception); see THIRD_PARTY.md.

use std::path::PathBuf;

const DEBIAN_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

fn main() {
    println!("cargo::rustc-check-cfg=cfg(embedded_cjk_font)");
    println!("cargo::rerun-if-env-changed=SIGNET_CJK_FONT");
    let source = std::env::var_os("SIGNET_CJK_FONT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEBIAN_FONT));
    println!("cargo::rerun-if-changed={}", source.display());
    let Some(out) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        return;
    };
    let target = out.join("cjk-font.bin");
    match std::fs::copy(&source, &target) {
        Ok(_) => println!("cargo::rustc-cfg=embedded_cjk_font"),
        Err(e) => println!(
            "cargo::warning=no CJK font embedded ({}: {e}); the binary will read {DEBIAN_FONT} at run time",
            source.display()
        ),
    }
}
