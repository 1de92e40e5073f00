using MasStack.Platform;
using MasStack.ServiceDefaults;
using MasStack.Signup.Features.Catalogue;
using MasStack.Signup.Features.Sales;
using MasStack.Signup.Features.SimStock;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatform(ResourceNames.Signup, typeof(Program).Assembly);
builder.Services.AddSingleton<CatalogueStore>();
builder.Services.AddHostedService<CatalogueSeeder>();
builder.Services.AddHostedService<SignupTimeouts>();

var app = builder.Build();
app.UsePlatform();
app.MapSignupApi();
app.MapCatalogueApi();
app.MapInternalSimApi();
app.Run();
