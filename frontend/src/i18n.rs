//! UI text: Simplified Chinese by default, English available.

pub use signet_api::Lang;

/// The text for `key` in `lang`; the key itself if unknown (visible in review, never blank).
pub fn t(lang: Lang, key: &'static str) -> &'static str {
    let (zh, en) = match key {
        "app_name" => ("Signet 电子合同签约平台", "Signet e-contracts"),
        "login" => ("登录", "Log in"),
        "logout" => ("退出登录", "Log out"),
        "register" => ("注册", "Register"),
        "register_title" => ("欢迎注册电子合同签订平台", "Create your account"),
        "login_title" => ("登录电子合同签订平台", "Log in"),
        "tab_password" => ("账号密码登录", "Password"),
        "tab_sms" => ("手机验证码登录", "SMS code"),
        "account" => ("账号", "Account"),
        "account_ph" => ("请输入账号（6–18 位字母和数字）", "6–18 letters and digits"),
        "login_ph" => ("请输入账号或手机号", "Account name or phone"),
        "real_name" => ("姓名", "Name"),
        "real_name_ph" => ("请输入真实姓名", "Your legal name"),
        "id_card" => ("身份证号码", "ID card number"),
        "id_card_ph" => ("请输入身份证号码", "18-character ID number"),
        "password" => ("密码", "Password"),
        "password_ph" => (
            "请输入密码（8–64 位，字母数字符号至少两类）",
            "8–64 characters, two kinds of letters/digits/symbols",
        ),
        "password2" => ("确认密码", "Confirm password"),
        "password2_ph" => ("请再次输入密码", "Repeat the password"),
        "phone" => ("手机号码", "Mobile phone"),
        "phone_ph" => ("请输入手机号码", "11-digit mobile number"),
        "captcha" => ("验证码", "Image code"),
        "captcha_ph" => ("请输入图中字符", "Characters in the picture"),
        "captcha_refresh" => ("换一组", "New image"),
        "sms_code" => ("短信验证码", "SMS code"),
        "sms_code_ph" => ("请输入短信验证码", "6-digit code"),
        "send_code" => ("发送验证码", "Send code"),
        "resend_in" => ("秒后重新发送", "s to resend"),
        "code_sent" => (
            "验证码已发送，5 分钟内有效",
            "Code sent; valid for 5 minutes",
        ),
        "agree_prefix" => ("勾选代表同意本平台", "I accept the"),
        "and" => ("和", "and"),
        "confirm" => ("确定", "Confirm"),
        "reset" => ("重置", "Reset"),
        "passwords_differ" => ("两次输入的密码不一致", "The passwords differ"),
        "must_agree" => (
            "请阅读并同意用户协议和隐私政策",
            "Accept the agreements first",
        ),
        "registered" => ("注册成功，请登录", "Registered. Please log in."),
        "no_account" => ("还没有账号？立即注册", "No account yet? Register"),
        "have_account" => ("已有账号？立即登录", "Have an account? Log in"),
        "welcome" => ("欢迎", "Welcome"),
        "verified" => ("已实名认证", "Real-name verified"),
        "not_verified" => ("未实名认证", "Not verified"),
        "orgs" => ("所属单位", "Organizations"),
        "role" => ("角色", "Role"),
        "grants" => ("权限", "Grants"),
        "none" => ("无", "None"),
        "admin" => ("管理员", "Admin"),
        "member" => ("成员", "Member"),
        "initiate" => ("发起权限", "May initiate"),
        "network_error" => ("网络错误，请稍后重试", "Network error; try again"),
        "not_found" => ("页面不存在", "Page not found"),
        "loading" => ("加载中…", "Loading…"),
        "copyright" => (
            "Signet · 开源电子合同与电子印章平台",
            "Signet · open-source e-contracts and e-seals",
        ),
        "lang_switch" => ("English", "中文"),
        _ => (key, key),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}
