// Starts the vendored Swagger UI on /api/v1/docs; "Try it out" uses the browser's session,
// so unsafe methods carry the page's CSRF token.
(function () {
  var root = document.getElementById("swagger-ui");
  var csrf = root.dataset.csrfToken;
  window.ui = SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    requestInterceptor: function (request) {
      if (csrf && !/^(GET|HEAD|OPTIONS)$/i.test(request.method || "GET")) {
        request.headers["X-CSRFToken"] = csrf;
      }
      return request;
    },
  });
})();
