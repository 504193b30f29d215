from django.urls import path

from accounts import views

urlpatterns = [
    path("xac-thuc/", views.verify, name="accounts_verify"),
    path("xac-thuc/dang-ky/", views.enrol, name="accounts_enrol"),
    path("xac-thuc/thiet-bi/", views.my_devices, name="accounts_devices"),
    path("xac-thuc/nguoi-dung/<int:user_id>/", views.user_devices, name="accounts_user_devices"),
]
