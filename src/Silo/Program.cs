using Atelier.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddAtelierSilo();

var app = builder.Build();
app.MapAtelierSilo();
app.Run();

/// <summary>Entry point marker so tests can host the silo with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
