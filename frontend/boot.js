// Starts the panel (a file, not an inline script: the Content-Security-Policy allows no
// inline script).
import init from "/pkg/signet-frontend.js";
init({ module_or_path: "/pkg/signet-frontend_bg.wasm" });
