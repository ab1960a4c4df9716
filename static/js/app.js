// Site-wide behaviour. Loaded after htmx; no inline scripts (CSP).
document.addEventListener("htmx:responseError", function (event) {
  var status = event.detail.xhr.status;
  var text = status === 403 ? "没有权限执行该操作。" : status === 409 ? "数据已被他人修改，请刷新后重试。" : "请求失败（" + status + "），请稍后重试。";
  window.alert(text);
});
