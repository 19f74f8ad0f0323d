from django.urls import path

from .views import (
    account,
    account_settings,
    devices,
    mailbox_proof,
    oidc,
    phones,
    recovery,
    security_keys,
    sessions,
    signin,
    signup,
)

app_name = "identity"
urlpatterns = [
    # Create an account, choose a password
    path("account/create/", signup.create_account, name="create-account"),
    path("account/create/done/", signup.create_account_done, name="create-account-done"),
    path("privacy/", signup.privacy_statement, name="privacy-statement"),
    path("password/new/<str:token>/", signup.set_password, name="set-password"),
    path("password/forgot/", signup.password_link_request, name="password-link-request"),
    # Sign in and out
    path("login/", signin.login, name="login"),
    path("login/password/", signin.signin_password, name="signin-password"),
    path("login/method/", signin.signin_method, name="signin-method"),
    path("logout/", signin.logout, name="logout"),
    # My Account
    path("account/", account.my_account, name="my-account"),
    path("account/details/", account.account_details, name="account-details"),
    path("account/password/", account.change_password, name="change-password"),
    # Configure, change e-mail, delete account, sessions, PANIC
    path("account/configure/", account_settings.configure_account, name="configure-account"),
    path("account/email/", account_settings.change_email, name="change-email"),
    path(
        "account/email/confirm/<str:token>/",
        account_settings.change_email_confirm,
        name="change-email-confirm",
    ),
    path("account/delete/", account_settings.delete_account, name="delete-account"),
    path("account/sessions/", sessions.sessions, name="sessions"),
    path("account/sessions/<int:pk>/end/", sessions.session_end, name="session-end"),
    path("account/sessions/end-others/", sessions.sessions_end_others, name="sessions-end-others"),
    path("account/panic/", sessions.panic, name="panic"),
    path("account/devices/confirm/<str:token>/", mailbox_proof.confirm_setup, name="confirm-setup"),
    # One login, many services (OpenID Connect; its endpoints are in cpms/identity/oidc_urls.py)
    path("account/sessions/services/<int:pk>/end/", oidc.service_signin_end, name="service-signin-end"),
    # Authenticator apps and recovery codes
    path("account/devices/", devices.mobile_devices, name="mobile-devices"),
    path("account/devices/add/", devices.mobile_device_add, name="mobile-device-add"),
    path("account/devices/<int:pk>/rename/", devices.mobile_device_rename, name="mobile-device-rename"),
    path("account/devices/<int:pk>/remove/", devices.mobile_device_remove, name="mobile-device-remove"),
    path("account/recovery-codes/", recovery.recovery_codes, name="recovery-codes"),
    path("login/app/", devices.signin_totp, name="signin-totp"),
    path("login/recovery/", recovery.signin_recovery, name="signin-recovery"),
    # Mobile phone numbers and SMS codes
    path("account/phones/", phones.phone_numbers, name="phone-numbers"),
    path("account/phones/add/", phones.phone_number_add, name="phone-number-add"),
    path("account/phones/<int:pk>/verify/", phones.phone_number_verify, name="phone-number-verify"),
    path("account/phones/<int:pk>/remove/", phones.phone_number_remove, name="phone-number-remove"),
    path("login/sms/", phones.signin_sms, name="signin-sms"),
    # Security keys and trusted platforms
    path("account/keys/", security_keys.security_keys, name="security-keys"),
    path("account/keys/add/", security_keys.security_key_add, name="security-key-add"),
    path(
        "account/keys/add/options/",
        security_keys.security_key_register_options,
        name="security-key-register-options",
    ),
    path("account/keys/add/register/", security_keys.security_key_register, name="security-key-register"),
    path("account/keys/<int:pk>/rename/", security_keys.security_key_rename, name="security-key-rename"),
    path("account/keys/<int:pk>/remove/", security_keys.security_key_remove, name="security-key-remove"),
    path("login/key/", security_keys.signin_webauthn, name="signin-webauthn"),
    path("login/key/options/", security_keys.signin_webauthn_options, name="signin-webauthn-options"),
    path("login/key/verify/", security_keys.signin_webauthn_verify, name="signin-webauthn-verify"),
    path("login/passkey/options/", security_keys.signin_passkey_options, name="signin-passkey-options"),
    path("login/passkey/verify/", security_keys.signin_passkey_verify, name="signin-passkey-verify"),
]
