using MasStack.NetworkProvisioning;
using MasStack.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddSingleton(sp => new NetworkBehaviour(sp.GetRequiredService<IConfiguration>().GetSection("Network")));
builder.Services.AddSingleton<ProvisioningLedger>();
builder.Services.AddSingleton(sp => new FieldService(sp.GetRequiredService<IConfiguration>().GetSection("FieldService")));

var app = builder.Build();
app.UseServiceDefaults();
app.MapProvisioningApi();
app.MapFieldServiceApi();
app.Run();
