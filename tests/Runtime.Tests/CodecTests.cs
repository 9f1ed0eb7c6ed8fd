using Atelier.Runtime.Tests.Grains;

namespace Atelier.Runtime.Tests;

public sealed class CodecTests
{
    [Fact]
    public void Byte_payload_inside_a_record_is_written_raw_after_the_json()
    {
        var pixels = Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray();
        using var writer = new FrameWriter();

        PayloadSerializer.Write(writer, new Picture("p", pixels, ReadOnlyMemory<byte>.Empty), typeof(Picture));

        var frame = writer.WrittenMemory.ToArray();
        Assert.True(frame.AsSpan().IndexOf(pixels) > 0);
        Assert.Equal(-1, frame.AsSpan().IndexOf("\"Pixels\":\""u8)); // not a base64 string
        Assert.InRange(frame.Length, pixels.Length, pixels.Length + 200);
        var reader = new FrameReader(frame);
        var back = (Picture)PayloadSerializer.Read(ref reader, typeof(Picture))!;
        Assert.Equal(pixels, back.Pixels);
        Assert.Equal("p", back.Name);
    }

    [Fact]
    public void Truncated_frame_is_rejected_with_InvalidDataException()
    {
        using var writer = new FrameWriter();
        PayloadSerializer.Write(writer, new byte[100], typeof(byte[]));
        var truncated = writer.WrittenMemory[..50];

        Assert.Throws<InvalidDataException>(() =>
        {
            var reader = new FrameReader(truncated);
            PayloadSerializer.Read(ref reader, typeof(byte[]));
        });
    }

    [Fact]
    public void Silo_address_round_trips_through_its_string_form()
    {
        var address = new SiloAddress("10.0.0.7:11111", 1763700000123);

        Assert.Equal(address, SiloAddress.Parse(address.ToString()));
        Assert.Throws<FormatException>(() => SiloAddress.Parse("no-generation"));
    }

    [Fact]
    public async Task Directory_register_is_compare_and_set()
    {
        var directory = new InMemoryGrainDirectory();
        var id = new GrainId("T", "k");
        var first = new GrainAddress(id, new SiloAddress("a", 1), Guid.NewGuid());
        var second = new GrainAddress(id, new SiloAddress("b", 1), Guid.NewGuid());
        var third = new GrainAddress(id, new SiloAddress("c", 1), Guid.NewGuid());

        Assert.Equal(first, await directory.RegisterAsync(first, null, default));
        Assert.Equal(first, await directory.RegisterAsync(second, null, default)); // occupied: the existing entry wins
        Assert.Equal(first, await directory.RegisterAsync(third, second, default)); // wrong expected entry
        Assert.Equal(second, await directory.RegisterAsync(second, first, default)); // take-over of the seen entry
        Assert.False(await directory.UnregisterAsync(first, default));
        Assert.True(await directory.UnregisterAsync(second, default));
        Assert.Null(await directory.LookupAsync(id, default));
    }
}
