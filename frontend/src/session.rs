//! The logged-in session (tokens) and the chosen language, kept in localStorage.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use signet_api::TokenPair;

use crate::i18n::Lang;

const TOKENS: &str = "signet.tokens";
const LANG: &str = "signet.lang";

#[derive(Clone, Copy)]
pub struct Session {
    pub lang: RwSignal<Lang>,
    pub tokens: RwSignal<Option<TokenPair>>,
}

impl Session {
    pub fn load() -> Self {
        let lang = LocalStorage::get::<String>(LANG)
            .map(|s| Lang::from_code(&s))
            // Simplified Chinese unless the user chose English.
            .unwrap_or_default();
        let tokens = LocalStorage::get::<TokenPair>(TOKENS).ok();
        Self {
            lang: RwSignal::new(lang),
            tokens: RwSignal::new(tokens),
        }
    }

    pub fn set_lang(&self, lang: Lang) {
        let _ = LocalStorage::set(LANG, lang.code());
        self.lang.set(lang);
        if let Some(doc) = web_sys::window().and_then(|w| w.document())
            && let Some(el) = doc.document_element()
        {
            let _ = el.set_attribute("lang", lang.code());
        }
    }

    pub fn log_in(&self, pair: TokenPair) {
        let _ = LocalStorage::set(TOKENS, &pair);
        self.tokens.set(Some(pair));
    }

    pub fn log_out(&self) {
        LocalStorage::delete(TOKENS);
        self.tokens.set(None);
    }

    pub fn access_token(&self) -> Option<String> {
        self.tokens.get_untracked().map(|p| p.access_token)
    }
}

pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(Session::load)
}
