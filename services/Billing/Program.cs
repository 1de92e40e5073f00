using MasStack.Platform;
using MasStack.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatform(ResourceNames.Billing, typeof(Program).Assembly);

var app = builder.Build();
app.UsePlatform();
app.Run();
