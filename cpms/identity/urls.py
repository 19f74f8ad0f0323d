from django.urls import path

from .views import account, signin, signup

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
    path("login/method/", signin.signin_method, name="signin-method"),
    path("login/password/", signin.signin_password, name="signin-password"),
    path("logout/", signin.logout, name="logout"),
    # My Account
    path("account/", account.my_account, name="my-account"),
    path("account/details/", account.account_details, name="account-details"),
    path("account/password/", account.change_password, name="change-password"),
    # -- Configure, change e-mail, delete account, sessions, PANIC (views/settings.py, views/sessions.py)
    # -- Authenticator apps and recovery codes (views/devices.py, views/recovery.py)
    # -- Mobile phone numbers and SMS codes (views/phones.py)
    # -- Security keys and trusted platforms (views/security_keys.py)
]
