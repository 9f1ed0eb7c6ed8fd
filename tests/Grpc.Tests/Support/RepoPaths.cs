namespace Atelier.Grpc.Tests.Support;

/// <summary>Files of the repository (proto/, the Node driver) and of the setup cache (the Node gRPC client).</summary>
public static class RepoPaths
{
    /// <summary>The repository root: the nearest ancestor of the test binaries holding <c>proto/atelier/v1/sessions.proto</c>.</summary>
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "proto", "atelier", "v1", "sessions.proto")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("proto/atelier/v1/sessions.proto was not found above " + AppContext.BaseDirectory);
        }
    }

    public static string ProtoRoot => Path.Combine(Root, "proto");

    public static string NodeDriver(string name) => Path.Combine(Root, "tests", "Grpc.Tests", "node", name);

    /// <summary><c>node_modules</c> with @grpc/grpc-js and @grpc/proto-loader, installed by setup; fails the test clearly when missing.</summary>
    public static string GrpcNodeModules
    {
        get
        {
            var cache = Models.Store.AtelierCache.FindRoot();
            var modules = cache is null ? null : Path.Combine(cache, "node", "grpc", "node_modules");
            if (modules is null || !File.Exists(Path.Combine(modules, "@grpc", "grpc-js", "package.json"))
                || !File.Exists(Path.Combine(modules, "@grpc", "proto-loader", "package.json")))
            {
                Assert.Fail("The Node gRPC client (@grpc/grpc-js, @grpc/proto-loader under .atelier/node/grpc) is missing. "
                    + "Run `./build.sh setup` (or `./build.sh test`, which runs setup first).");
            }

            return modules!;
        }
    }
}
