//! The text of the messages Portcullis sends.

use super::Email;

/// The password-reset mail: the link, and how long it works.
pub fn reset_email(to: &str, tenant_name: &str, link: &str, valid_minutes: i64) -> Email {
    Email {
        to: to.to_owned(),
        subject: format!("Reset your {tenant_name} password"),
        text: format!(
            "Hello,\n\n\
             Someone asked to reset the password of your {tenant_name} account ({to}).\n\
             To choose a new password, open this link within {valid_minutes} minutes:\n\n\
             {link}\n\n\
             The link works once. Choosing a new password signs you out everywhere.\n\
             If you did not ask for this, ignore this message: your password stays as it is.\n"
        ),
        link: Some(link.to_owned()),
    }
}

/// Sent to the owner of an address someone tried to sign up with, so the owner hears of
/// it, with a way back in if the password is forgotten.
pub fn signup_attempt_email(to: &str, tenant_name: &str, link: &str, valid_minutes: i64) -> Email {
    Email {
        to: to.to_owned(),
        subject: format!("Someone tried to sign up to {tenant_name} with your address"),
        text: format!(
            "Hello,\n\n\
             Someone tried to create a {tenant_name} account with your address ({to}),\n\
             which already has one. If it was you, log in instead; if you forgot your\n\
             password, choose a new one with this link within {valid_minutes} minutes:\n\n\
             {link}\n\n\
             The link works once. If it was not you, ignore this message: nothing changed.\n"
        ),
        link: Some(link.to_owned()),
    }
}

/// The verification mail of a signup (tenant setting `signup_requires_verification`):
/// the link, and how long it works.
pub fn verification_email(to: &str, tenant_name: &str, link: &str, valid_hours: i64) -> Email {
    Email {
        to: to.to_owned(),
        subject: format!("Verify your email for {tenant_name}"),
        text: format!(
            "Hello,\n\n\
             Someone created a {tenant_name} account with your address ({to}).\n\
             To verify your address and finish signing up, open this link within\n\
             {valid_hours} hours:\n\n\
             {link}\n\n\
             The link works once. If it was not you, ignore this message.\n"
        ),
        link: Some(link.to_owned()),
    }
}
