using MasStack.Consumption;
using MasStack.Platform;
using MasStack.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatform(ResourceNames.Consumption, typeof(Program).Assembly);
builder.Services.AddConsumptionServices();

var app = builder.Build();
app.UsePlatform();
app.MapConsumptionApis();
app.Run();
