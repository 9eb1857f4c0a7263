from django.urls import path

from styrbord.accounts import user_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("api-tokens/", views.token_list, name="token_list"),
    path("api-tokens/<int:pk>/tilbagekald/", views.token_revoke, name="token_revoke"),
    path("brugere/", user_views.user_list, name="user_list"),
    path("brugere/ny/", user_views.user_create, name="user_create"),
    path("brugere/<int:pk>/", user_views.user_edit, name="user_edit"),
    path("brugere/<int:pk>/invitation/", user_views.user_invite, name="user_invite"),
    path("glemt-adgangskode/", user_views.PasswordForgottenView.as_view(), name="password_forgotten"),
    path("glemt-adgangskode/sendt/", user_views.PasswordForgottenSentView.as_view(), name="password_forgotten_sent"),
    path("adgangskode/<uidb64>/<token>/", user_views.PasswordSetView.as_view(), name="password_set"),
]
