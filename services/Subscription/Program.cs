using MasStack.Platform;
using MasStack.ServiceDefaults;
using MasStack.Subscription.Features.Lines;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatform(ResourceNames.Subscription, typeof(Program).Assembly);

var app = builder.Build();
app.UsePlatform();
app.MapSubscriptionApi();
app.Run();
