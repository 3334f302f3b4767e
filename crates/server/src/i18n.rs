//! Problem messages in Simplified Chinese (default) and English, keyed by problem code.

use actix_web::http::header::{ACCEPT_LANGUAGE, HeaderMap};

pub use signet_api::Lang;

/// The request's language, from its `Accept-Language` header.
pub fn request_lang(headers: &HeaderMap) -> Lang {
    headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

/// The message for `code` in `lang`, with `{name}` placeholders filled from `params`.
pub fn message(code: &str, lang: Lang, params: &[(&'static str, String)]) -> String {
    let (zh, en) = catalog(code);
    let mut text = match lang {
        Lang::Zh => zh.to_owned(),
        Lang::En => en.to_owned(),
    };
    for (name, value) in params {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

fn catalog(code: &str) -> (&'static str, &'static str) {
    match code {
        // Input
        "invalid_json" => (
            "请求体不是有效的 JSON：{reason}",
            "The request body is not valid JSON: {reason}",
        ),
        "invalid_query" => (
            "查询参数无效：{reason}",
            "Invalid query parameters: {reason}",
        ),
        "payload_too_large" => ("请求体过大", "The request body is too large"),
        "unsupported_media_type" => (
            "请使用 application/json 提交",
            "Send the body as application/json",
        ),
        "invalid_page" => (
            "页码须从 1 开始，每页 1–100 条",
            "page starts at 1 and page_size is 1–100",
        ),
        "invalid_account_name" => (
            "账号须为 6–18 位字母和数字，且至少包含一个字母",
            "The account name must be 6–18 letters and digits with at least one letter",
        ),
        "invalid_real_name" => (
            "姓名须为 2–30 个中文或英文字符",
            "The name must be 2–30 Chinese or Latin characters",
        ),
        "invalid_id_card_number" => (
            "身份证号码须为 18 位（最后一位可为 X）",
            "The ID card number must be 18 characters (the last may be X)",
        ),
        "invalid_id_card_region" => (
            "身份证号码的地区码无效",
            "The ID card number has an unknown region code",
        ),
        "invalid_id_card_birth_date" => (
            "身份证号码中的出生日期无效",
            "The birth date in the ID card number is not valid",
        ),
        "invalid_id_card_checksum" => (
            "身份证号码校验位不正确",
            "The ID card number's check digit is wrong",
        ),
        "invalid_phone" => (
            "请输入 11 位中国大陆手机号码",
            "Enter an 11-digit mainland China mobile number",
        ),
        "password_length" => (
            "密码长度须为 8–64 位",
            "The password must be 8–64 characters",
        ),
        "password_too_weak" => (
            "密码须至少包含字母、数字、符号中的两类",
            "The password must mix at least two of letters, digits and symbols",
        ),
        "password_invalid_character" => (
            "密码不能包含控制字符",
            "The password must not contain control characters",
        ),
        "invalid_sms_code_format" => ("短信验证码为 6 位数字", "The SMS code is 6 digits"),
        "invalid_sms_purpose" => ("验证码用途无效", "Unknown SMS code purpose"),
        "invalid_org_name" => (
            "单位名称须为 2–60 个字符",
            "The organization name must be 2–60 characters",
        ),
        "invalid_uscc" => (
            "统一社会信用代码格式不正确",
            "The unified social credit code is malformed",
        ),
        "invalid_uscc_checksum" => (
            "统一社会信用代码校验位不正确",
            "The unified social credit code's check character is wrong",
        ),
        "invalid_role" => (
            "角色须为 admin 或 member",
            "The role must be admin or member",
        ),
        "invalid_grant" => ("未知的权限：{grant}", "Unknown grant: {grant}"),
        "login_required" => (
            "请输入账号或手机号",
            "Enter an account name or phone number",
        ),
        // Captcha and SMS
        "captcha_invalid" => (
            "图形验证码错误，请刷新后重试",
            "Wrong image code; get a new one and try again",
        ),
        "captcha_expired" => (
            "图形验证码已过期或已使用，请刷新",
            "The image code expired or was used; get a new one",
        ),
        "sms_code_invalid" => (
            "短信验证码错误，还可尝试 {remaining} 次",
            "Wrong SMS code; {remaining} tries left",
        ),
        "sms_code_expired" => (
            "短信验证码已过期，请重新获取",
            "The SMS code expired; request a new one",
        ),
        "sms_code_not_found" => ("请先获取短信验证码", "Request an SMS code first"),
        "sms_code_attempts_exceeded" => (
            "短信验证码错误次数过多，请重新获取",
            "Too many wrong SMS codes; request a new one",
        ),
        "sms_too_frequent" => (
            "发送过于频繁，请 {seconds} 秒后重试",
            "Too soon; try again in {seconds} s",
        ),
        "sms_daily_limit" => (
            "该手机号今日验证码发送次数已达上限",
            "This phone has reached today's SMS limit",
        ),
        "sms_ip_limit" => (
            "请求过于频繁，请稍后重试",
            "Too many requests from your network; try later",
        ),
        "sms_send_failed" => (
            "短信发送失败，请稍后重试",
            "The SMS could not be sent; try again later",
        ),
        // Registration
        "agreements_not_accepted" => (
            "请阅读并同意最新版本的《用户协议》和《隐私政策》",
            "Read and accept the current User Agreement and Privacy Policy",
        ),
        "account_name_taken" => ("该账号已被注册", "This account name is taken"),
        "phone_taken" => ("该手机号已注册", "This phone number is already registered"),
        "id_card_taken" => (
            "该身份证号码已注册",
            "This ID card number is already registered",
        ),
        "identity_mismatch" => (
            "实名核验未通过：姓名、身份证号码与手机号码不一致",
            "Real-name check failed: name, ID number and phone do not match",
        ),
        "identity_provider_unavailable" => (
            "实名核验服务暂时不可用，请稍后重试（未创建账号）",
            "The real-name check service is unavailable; try again later (no account was created)",
        ),
        // Login and tokens
        "invalid_credentials" => ("账号或密码错误", "Wrong account or password"),
        "account_locked" => (
            "密码错误次数过多，账号已锁定，请 {minutes} 分钟后重试",
            "Too many wrong passwords; the account is locked for {minutes} more minutes",
        ),
        "unauthenticated" => ("请先登录", "Log in first"),
        "invalid_token" => (
            "登录凭证无效或已过期，请重新登录",
            "The access token is invalid or expired; log in again",
        ),
        "session_revoked" => (
            "登录已失效，请重新登录",
            "This session has ended; log in again",
        ),
        "invalid_refresh_token" => (
            "刷新凭证无效或已过期，请重新登录",
            "The refresh token is invalid or expired; log in again",
        ),
        "refresh_token_reused" => (
            "检测到刷新凭证被重复使用，已注销该登录的所有凭证",
            "A refresh token was reused; every token of this login has been revoked",
        ),
        "wrong_password" => ("当前密码错误", "The current password is wrong"),
        "same_password" => (
            "新密码不能与当前密码相同",
            "The new password must differ from the current one",
        ),
        // Organisations
        "org_not_found" => ("单位不存在", "Organization not found"),
        "member_not_found" => ("成员不存在", "Member not found"),
        "invitation_not_found" => (
            "邀请不存在或已失效",
            "Invitation not found or no longer valid",
        ),
        "not_org_admin" => (
            "只有单位管理员可以执行此操作",
            "Only an organization admin may do this",
        ),
        "last_admin" => (
            "单位至少需要保留一名管理员",
            "The organization must keep at least one admin",
        ),
        "already_member" => ("该用户已是单位成员", "This user is already a member"),
        "agreement_not_found" => ("协议不存在", "Agreement not found"),
        // Generic
        "not_found" => ("资源不存在", "Not found"),
        "database_busy" => (
            "系统繁忙，请稍后重试",
            "The system is busy; try again shortly",
        ),
        "internal_error" => (
            "服务器内部错误，请稍后重试",
            "Internal server error; try again later",
        ),
        _ => ("请求无法处理", "The request could not be processed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    #[test]
    fn reads_the_header() {
        let mut h = HeaderMap::new();
        assert_eq!(request_lang(&h), Lang::Zh);
        h.insert(ACCEPT_LANGUAGE, HeaderValue::from_static("en-US,en;q=0.9"));
        assert_eq!(request_lang(&h), Lang::En);
    }

    #[test]
    fn fills_parameters() {
        let m = message("account_locked", Lang::En, &[("minutes", "15".into())]);
        assert_eq!(
            m,
            "Too many wrong passwords; the account is locked for 15 more minutes"
        );
    }
}
