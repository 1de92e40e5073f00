using MasStack.Gateway;
using MasStack.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGatewayProxy();
// OAuth 2.0 bearer tokens from Identity (client credentials), authorized by route group, rate-limited per client.
builder.AddGatewaySecurity();
// One OpenAPI document merged from the services' own, and the reference page reading it.
builder.AddApiReference();

var app = builder.Build();

app.UseSecurityHeaders();
app.UseServiceDefaults();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.MapApiReference();
app.MapGatewayProxy();

app.Run();
