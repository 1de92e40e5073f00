using MasStack.Notifications.Features.Hub;
using MasStack.Platform;
using MasStack.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatform(ResourceNames.Notifications, typeof(Program).Assembly);
builder.AddHub();

var app = builder.Build();
app.UsePlatform();
app.MapHubApi();
app.Run();
