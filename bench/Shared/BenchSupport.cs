using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ClinicalCds.Bench;

/// <summary>What the benchmarks share: a fresh database on the local server and a free loopback port.</summary>
internal static class BenchSupport
{
    /// <summary>Drops and creates <paramref name="name"/> on the server of <paramref name="server"/>; returns its connection string.</summary>
    public static async Task<string> CreateDatabase(string server, string name)
    {
        var admin = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false };
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
