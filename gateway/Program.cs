using MasStack.Gateway;
using MasStack.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGatewayProxy();
// TODO(security): OAuth2 client-credentials goes here — AddAuthentication().AddJwtBearer(), one authorization policy
// (and rate-limiter policy) per route group; every route in appsettings.json carries its group as Metadata.RouteGroup.

var app = builder.Build();

app.UseServiceDefaults();
// TODO(security): app.UseAuthentication(); app.UseAuthorization(); app.UseRateLimiter();
app.MapGatewayProxy();

app.Run();
