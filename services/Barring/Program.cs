using MasStack.Barring.Features.Barrings;
using MasStack.Platform;
using MasStack.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatform(ResourceNames.Barring, typeof(Program).Assembly);

var app = builder.Build();
app.UsePlatform();
app.MapBarringApi();
app.Run();
