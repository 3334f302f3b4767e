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
        "invalid_body" => (
            "请求体未能完整读取，请重试",
            "The request body could not be read in full; please retry",
        ),
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
        // Certificates and signing
        "invalid_pin" => ("PIN 码须为 6–12 位数字", "The PIN must be 6–12 digits"),
        "pki_not_initialised" => (
            "证书服务尚未初始化，请联系管理员执行 signet pki init",
            "The PKI is not initialised; an operator must run signet pki init",
        ),
        "ca_not_found" => ("证书颁发机构不存在", "Certificate authority not found"),
        "certificate_not_found" => ("证书不存在", "Certificate not found"),
        "seal_not_found" => ("印章不存在", "Seal not found"),
        "certificate_login_failed" => (
            "证书登录失败：签名、证书或其状态无法通过验证",
            "Certificate login failed: the signature, the certificate or its status did not check out",
        ),
        "challenge_expired" => (
            "登录挑战已使用或已过期，请重新获取",
            "The login challenge was used or expired; get a new one",
        ),
        "invalid_certificate" => ("证书无法读取", "The certificate cannot be read"),
        "proof_of_possession_failed" => (
            "签名无法用该证书验证，无法证明持有该证书的私钥",
            "The signature does not verify with the certificate: no proof of possession",
        ),
        "untrusted_certificate" => (
            "证书不是由平台信任的证书颁发机构签发，或已过期",
            "The certificate is not from a CA this platform trusts, or is not valid now",
        ),
        "certificate_name_mismatch" => (
            "证书中的姓名与账号实名不一致",
            "The name in the certificate is not the account's real name",
        ),
        "certificate_id_mismatch" => (
            "证书中的身份证号码与账号不一致",
            "The ID number in the certificate is not the account's",
        ),
        "certificate_bound_already" => (
            "该证书已绑定到账号",
            "This certificate is bound to an account already",
        ),
        "invalid_csr" => (
            "证书请求无效：{reason}",
            "The certificate request is not usable: {reason}",
        ),
        "certificate_server_held" => (
            "该证书的密钥由平台保管，请使用 PIN 码签署",
            "This certificate's key is held by the server; sign with its PIN",
        ),
        "signing_session_not_found" => ("签署会话不存在", "Signing session not found"),
        "signing_session_used" => ("该签署会话已完成", "This signing session is finished"),
        "signing_session_expired" => (
            "签署会话已过期，请重新发起",
            "The signing session expired; prepare again",
        ),
        "bad_signature" => (
            "签名值无法用该证书验证（签署的内容不对或密钥不匹配）",
            "The signature does not verify with the certificate over the bytes given to sign",
        ),
        "invalid_signature_encoding" => (
            "签名值须为 Base64 编码的 DER",
            "The signature must be base64 of DER",
        ),
        "certificate_revoked" => ("证书已吊销，不能使用", "The certificate is revoked"),
        "certificate_expired" => (
            "证书不在有效期内，请更新证书",
            "The certificate is not within its validity period; renew it",
        ),
        "certificate_locked" => (
            "PIN 码错误次数过多，证书已锁定，请通过短信验证解锁",
            "Too many wrong PINs; the certificate is locked until unlocked with an SMS code",
        ),
        "wrong_pin" => (
            "PIN 码错误，还可尝试 {remaining} 次",
            "Wrong PIN; {remaining} tries left",
        ),
        "pin_required" => (
            "请为每张使用的证书提供 PIN 码",
            "Give the PIN of every certificate used",
        ),
        "real_name_required" => (
            "请先完成实名认证再申请证书",
            "Complete real-name verification before requesting a certificate",
        ),
        "org_required" => ("请选择单位", "Choose the organization"),
        "org_not_verified" => (
            "单位尚未通过认证，不能申请单位证书",
            "The organization is not verified; it cannot get a certificate yet",
        ),
        "invalid_certificate_kind" => (
            "证书类型须为 personal 或 organization",
            "The certificate kind must be personal or organization",
        ),
        "invalid_algorithm" => ("算法须为 p256 或 sm2", "The algorithm must be p256 or sm2"),
        "invalid_revocation_reason" => ("吊销原因无效", "Unknown revocation reason"),
        "invalid_level" => (
            "签名级别须为 b-b、b-t、b-lt 或 b-lta",
            "The level must be b-b, b-t, b-lt or b-lta",
        ),
        "invalid_signature_count" => (
            "每次签署须包含 1–20 个签章",
            "A signing request holds 1–20 signatures",
        ),
        "invalid_placement" => ("盖章位置无效：{reason}", "Invalid placement: {reason}"),
        "invalid_seal_image" => (
            "印章图片无法使用：{reason}",
            "The seal image cannot be used: {reason}",
        ),
        "invalid_pdf" => (
            "文件不是可签署的 PDF：{reason}",
            "The file is not a signable PDF: {reason}",
        ),
        "pdf_encrypted" => (
            "加密的 PDF 文件不能签署",
            "Encrypted PDF files cannot be signed",
        ),
        "pdf_certified_no_changes" => (
            "该文件已被认证为禁止任何修改，不能再签署",
            "The document is certified against any change and cannot be signed",
        ),
        "tsa_unavailable" => (
            "时间戳服务暂时不可用，请稍后重试",
            "The timestamp authority is unavailable; try again shortly",
        ),
        "invalid_multipart" => (
            "请以 multipart/form-data 提交",
            "Send the request as multipart/form-data",
        ),
        "missing_part" => ("缺少表单部分：{part}", "Missing form part: {part}"),
        "too_many_parts" => ("表单部分过多", "Too many form parts"),
        "signing_busy" => (
            "签署请求过多，请稍后重试",
            "Too many signing requests at the moment; try again shortly",
        ),
        "duplicate_part" => ("表单部分重复：{part}", "Repeated form part: {part}"),
        "too_many_certificates" => (
            "文件中的证书过多，无法添加长期验证数据",
            "The file carries too many certificates to add long-term validation data",
        ),
        "part_too_large" => (
            "表单部分 {part} 过大（上限 {limit} 字节）",
            "Form part {part} is too large (limit {limit} bytes)",
        ),
        "unsupported_content_type" => ("请使用 {expected} 提交", "Send the body as {expected}"),
        // Tasks
        "task_not_found" => ("签署任务不存在", "No such signing task"),
        "step_not_found" => ("签署步骤不存在", "No such step"),
        "document_not_found" => ("文件不存在", "No such document"),
        "not_task_initiator" => (
            "只有任务发起人可以执行此操作",
            "Only the task's initiator may do this",
        ),
        "not_step_signer" => ("这不是您的签署步骤", "This step is not yours to sign"),
        "initiate_not_granted" => (
            "您没有发起签署任务的权限，请联系企业管理员授权",
            "You are not granted the right to initiate tasks; ask an administrator",
        ),
        "signer_not_found" => (
            "找不到该签署人，请核对姓名和手机号",
            "No signer with that name and phone number",
        ),
        "signer_not_member" => (
            "签署人不是所选企业的成员",
            "The signer is not a member of the chosen organisation",
        ),
        "invalid_step" => ("签署步骤无效：{reason}", "Invalid step: {reason}"),
        "too_many_steps" => (
            "签署步骤过多（上限 {max}）",
            "Too many steps (at most {max})",
        ),
        "no_documents" => ("请至少上传一个文件", "Upload at least one document"),
        "too_many_documents" => (
            "文件过多（上限 {max} 个）",
            "Too many documents (at most {max})",
        ),
        "unexpected_part" => ("未使用的表单部分：{part}", "Form part {part} is not used"),
        "unknown_document" => ("文件不属于该任务", "The document is not part of this task"),
        "invalid_name" => (
            "名称无效（1–{max} 个字符）",
            "Invalid name (1–{max} characters)",
        ),
        "invalid_deadline" => (
            "截止时间必须晚于当前时间",
            "The deadline must be in the future",
        ),
        "task_changed" => (
            "任务已被他人更新，请刷新后重试",
            "The task was changed meanwhile; reload and try again",
        ),
        "task_not_draft" => (
            "只有草稿状态的任务可以执行此操作",
            "Only a draft can do this",
        ),
        "task_has_no_steps" => ("任务至少需要一个签署步骤", "A task needs at least one step"),
        "task_not_in_progress" => ("任务不在签署中", "The task is not in progress"),
        "task_finished" => ("任务已结束", "The task has ended"),
        "task_not_due" => ("任务尚未到期", "The task's deadline has not passed"),
        "task_not_forwardable" => (
            "该任务的文件不能转发",
            "This task's documents cannot be forwarded",
        ),
        "step_not_active" => (
            "该步骤当前不可签署",
            "The step is not waiting for a signature",
        ),
        "reason_required" => ("请填写拒签原因", "Give a reason for rejecting"),
        "reason_too_long" => (
            "原因过长（上限 {max} 个字符）",
            "The reason is too long (at most {max} characters)",
        ),
        "no_placements" => ("请至少放置一个印章", "Place at least one seal"),
        "too_many_placements" => (
            "印章过多（上限 {max} 个）",
            "Too many placements (at most {max})",
        ),
        "certificate_not_for_step" => (
            "该证书不符合此步骤要求的印章类型或企业",
            "The certificate does not fit the step's seal kind or organisation",
        ),
        "seal_not_for_step" => (
            "该印章不符合此步骤要求的印章类型或企业",
            "The seal does not fit the step's seal kind or organisation",
        ),
        "certificate_client_held" => (
            "该证书的私钥由您自己保管，请通过外部签署完成此步骤",
            "This certificate's key is held by you: sign this step through the external path",
        ),
        "pki_rate_limited" => (
            "证书服务请求过于频繁，请稍后再试",
            "Too many requests to the certificate services from this address; try again later",
        ),
        "login_rate_limited" => (
            "登录尝试过于频繁，请稍后再试",
            "Too many login attempts from this address; try again later",
        ),
        "lookup_rate_limited" => (
            "查询签署人过于频繁，请稍后再试",
            "Too many signer lookups; try again in a minute",
        ),
        "register_rate_limited" => (
            "注册请求过于频繁，请稍后再试",
            "Too many registrations from this address; try again later",
        ),
        "auth_busy" => (
            "服务器繁忙，请稍后再试",
            "The server is busy checking passwords; try again shortly",
        ),
        "uscc_taken" => (
            "该统一社会信用代码已被其他企业使用",
            "Another organisation holds this unified social credit code",
        ),
        "certificate_admin_only" => (
            "只有企业管理员可以修改、解锁、更新或吊销企业证书；印章授权只允许用该印章签署",
            "Only the organisation's admins may change the PIN of, unlock, renew or revoke its certificate; a seal grant only allows signing with that seal",
        ),
        "seal_certificate_mismatch" => (
            "印章与证书不匹配（企业印章须配企业证书，个人印章须配个人证书，绑定的印章须配所绑证书）",
            "The seal does not go with this certificate (an organisation's seal needs its certificate, a personal seal a personal one, a bound seal its own)",
        ),
        "download_not_allowed" => (
            "只有发起人可以在任务完成后下载文件",
            "Only the initiator may download, once the task is completed",
        ),
        "forward_not_signed" => ("签署后才能转发", "Sign first, then forward"),
        "forward_not_uploader" => (
            "只能转发自己上传的文件，他人或应用上传的文件不能再次发送",
            "Only documents you uploaded yourself may be forwarded; documents from another user or an app may not be re-sent",
        ),
        "invalid_list" => (
            "列表无效（to_sign、signed 或 initiated）",
            "Invalid list (to_sign, signed or initiated)",
        ),
        "invalid_status" => ("状态无效", "Invalid status"),
        "invalid_width" => (
            "图片宽度须在 {min}–{max} 像素之间",
            "The width must be {min}–{max} pixels",
        ),
        "page_not_found" => (
            "页码不存在（共 {pages} 页）",
            "No such page (the document has {pages})",
        ),
        "page_not_renderable" => (
            "该页无法显示：{reason}",
            "The page cannot be shown: {reason}",
        ),
        "render_busy" => (
            "页面渲染繁忙，请稍后重试",
            "Rendering is busy; try again shortly",
        ),
        // Seals
        "seal_not_manageable" => (
            "只有印章所有人或企业管理员可以管理印章",
            "Only the seal's owner or an organisation admin may manage it",
        ),
        "invalid_seal_kind" => ("印章类型无效", "Invalid seal kind"),
        "not_a_member" => (
            "用户不是该企业的成员",
            "The user is not a member of the organisation",
        ),
        "font_unavailable" => (
            "服务器未安装中文字体",
            "No CJK font is installed on the server",
        ),
        "sign_mode_mismatch" => (
            "该步骤的签署模式（{mode}）不允许从当前设备签署",
            "This step's signing mode ({mode}) does not allow signing from this device",
        ),
        // Evidence and public verification
        "verification_code_not_found" => ("验证码不存在", "No document has this verification code"),
        "verify_rate_limited" => (
            "验证请求过于频繁，请稍后重试",
            "Too many verification requests; try again shortly",
        ),
        "pdf_body_required" => (
            "请以 application/pdf 上传 PDF 文件",
            "Upload the PDF as the body, with Content-Type application/pdf",
        ),
        "pdf_too_large" => (
            "文件超过 {max} 字节的上限",
            "The file is larger than the {max} byte limit",
        ),
        "busy" => ("系统繁忙，请稍后重试", "Busy; try again shortly"),
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
    /// Every problem code the server or the domain writes as a literal — `ApiError::new`,
    /// `bad_request`, `forbidden`, … and `ValidationError::new` — has its own zh/en message,
    /// never the catch-all.
    #[test]
    fn every_produced_code_has_its_message() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let ctors = [
            "new(",
            "bad_request(",
            "unauthorized(",
            "forbidden(",
            "not_found(",
            "conflict(",
            "unprocessable(",
            "too_many(",
            "unavailable(",
        ];
        let fallback = catalog("\u{0}no such code");
        let mut stack = vec![root.join("server/src"), root.join("domain/src")];
        let mut seen = 0;
        let mut missing = Vec::new();
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                // Production code only: a test module's codes may be made up.
                let text = text.split("#[cfg(test)]").next().unwrap_or_default();
                for ctor in ctors {
                    for (at, _) in text.match_indices(ctor) {
                        let before = &text[..at];
                        if !(before.ends_with("ApiError::")
                            || before.ends_with("Self::")
                            || before.ends_with("ValidationError::"))
                        {
                            continue;
                        }
                        // The code is the call's first string literal, before its `)`.
                        let args = &text[at + ctor.len()..];
                        let args = &args[..args.find(')').unwrap_or(args.len())];
                        let Some(code) =
                            args.split('"')
                                .nth(if before.ends_with("ValidationError::") {
                                    3
                                } else {
                                    1
                                })
                        else {
                            continue;
                        };
                        if code.is_empty()
                            || !code
                                .bytes()
                                .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit())
                        {
                            continue;
                        }
                        seen += 1;
                        if catalog(code) == fallback {
                            missing.push(format!("{code} ({})", path.display()));
                        }
                    }
                }
            }
        }
        assert!(seen > 150, "{seen} codes found");
        assert!(missing.is_empty(), "codes without a message: {missing:?}");
    }
}
