// Swagger UI on the daemon's own OpenAPI document; nothing is fetched from anywhere else.
window.addEventListener('DOMContentLoaded', () => {
  window.SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger',
    deepLinking: true,
    validatorUrl: null,
    tryItOutEnabled: false,
  });
});
