using MasStack.Account.Features.Accounts;
using MasStack.Account.Features.Bundles;
using MasStack.Account.Features.Migrations;
using MasStack.Account.Features.Terms;
using MasStack.Platform;
using MasStack.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatform(ResourceNames.Account, typeof(Program).Assembly);
builder.Services.AddHostedService<MigrationTimeouts>();

var app = builder.Build();
app.UsePlatform();
app.MapAccountApi();
app.MapTermsApi();
app.MapCompatibleBundlesApi();
app.MapMigrationsApi();
app.MapBundleMigrationsApi();
app.Run();
