from django.urls import path

from styrbord.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("api-tokens/", views.token_list, name="token_list"),
    path("api-tokens/<int:pk>/tilbagekald/", views.token_revoke, name="token_revoke"),
]
