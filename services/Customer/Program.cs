using MasStack.Customer.Features.AgileTv;
using MasStack.Customer.Features.Expedition;
using MasStack.Customer.Features.Tree;
using MasStack.Customer.Features.Users;
using MasStack.Platform;
using MasStack.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatform(ResourceNames.Customer, typeof(Program).Assembly);
builder.Services.AddSingleton<CustomerTrees>();

var app = builder.Build();
app.UsePlatform();
app.MapTreeApi();
app.MapUserApi();
app.MapExpeditionApi();
app.MapAgileTvApi();
app.Run();
