using MasStack.Billing.Features;
using MasStack.Platform;
using MasStack.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatform(ResourceNames.Billing, typeof(Program).Assembly);
builder.AddBillingServices();

var app = builder.Build();
app.UsePlatform();
app.MapBillingApi();
app.Run();
