using ClinicalCds.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace ClinicalCds.IntegrationTests.Persistence;

/// <summary>
/// The projection tables are described twice by design (ADR 0006): EF's model makes the schema, <see cref="Projections"/>
/// writes and reads the data. They must name the same columns, in every table.
/// </summary>
public sealed class ProjectionSchemaTests
{
    [Fact]
    public void Every_projection_writes_exactly_the_columns_of_its_table_in_EFs_model()
    {
        // Building the model needs no connection.
        using var dataSource = DatabaseOptions.CreateDataSource("Host=127.0.0.1;Database=model-only");
        var options = new DbContextOptionsBuilder<ClinicalCdsDbContext>();
        options.UseClinicalCdsDatabase(dataSource);
        using var context = new ClinicalCdsDbContext(options.Options);

        Assert.Equal(6, Projections.All.Count);
        foreach (var projection in Projections.All)
        {
            var entity = context.Model.GetEntityTypes().Single(e => e.GetTableName() == projection.Table);
            var table = StoreObjectIdentifier.Table(projection.Table, entity.GetSchema());
            var columns = entity.GetProperties().Select(p => p.GetColumnName(table)!).Order(StringComparer.Ordinal).ToList();

            Assert.Equal(columns, projection.ColumnNames.Order(StringComparer.Ordinal).ToList());
            Assert.Equal(entity.FindPrimaryKey()!.Properties.Select(p => p.GetColumnName(table)).First(), projection.KeyColumn);
        }
    }
}
