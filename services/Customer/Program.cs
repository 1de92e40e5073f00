using MasStack.Customer.Features.Tree;
using MasStack.Platform;
using MasStack.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatform(ResourceNames.Customer, typeof(Program).Assembly);
builder.Services.AddSingleton<CustomerTrees>();

var app = builder.Build();
app.UsePlatform();
app.MapTreeApi();
app.Run();
