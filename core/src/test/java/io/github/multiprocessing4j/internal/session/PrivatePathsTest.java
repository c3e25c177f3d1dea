package io.github.multiprocessing4j.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivatePathsTest {
    @TempDir
    Path tmp;

    private static int id(Path p, String attribute) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:" + attribute);
    }

    @Test
    void aFolderWritableByTheUsersPrivateGroup_isStillPrivate() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("umask-002"));
        assumeTrue(UserPrivateGroups.isPrivateGroupOf(id(dir, "gid"), id(Path.of("/proc/self"), "uid")),
                "the folder's group is this user's private group (true for root, and for users on Fedora/RHEL)");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxr-x"));

        assertThat(PrivatePaths.isPrivateFolder(dir)).isTrue();
    }

    @Test
    void aFolderWritableByAGroupThatIsNotTheUsersAlone_isNot() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("shared-group"));
        GroupPrincipal nogroup;
        try {
            nogroup = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("nogroup");
            Files.getFileAttributeView(dir, PosixFileAttributeView.class).setGroup(nogroup);
        } catch (Exception e) {
            assumeTrue(false, "cannot give a folder to the group nogroup here: " + e);
            return;
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxr-x"));

        assertThat(PrivatePaths.isPrivateFolder(dir)).isFalse();
    }
}
