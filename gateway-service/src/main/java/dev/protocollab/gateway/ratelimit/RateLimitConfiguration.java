package dev.protocollab.gateway.ratelimit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.cloud.gateway.filter.ratelimit.RedisRateLimiter;
import org.springframework.cloud.gateway.support.ConfigurationService;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The gateway's own {@link RedisRateLimiter}, replacing Spring Cloud Gateway's (which steps aside when one
 * exists), for one reason: its token-bucket script. Spring Cloud Gateway loads the same Lua file as a
 * {@code ResourceScriptSource}, and Spring Data Redis asks that source on every call whether the file has
 * changed so the script's SHA1 can be recomputed; inside a Boot jar the file's modification time cannot be
 * read, which throws (and swallows) exceptions on every rate-limited request. The script never changes at
 * run time, so it is read once into a static source here.
 */
@Configuration(proxyBeanMethods = false)
class RateLimitConfiguration {

    static final String SCRIPT = "META-INF/scripts/request_rate_limiter.lua";

    @Bean
    RedisRateLimiter redisRateLimiter(ReactiveStringRedisTemplate redis, ConfigurationService configurationService) {
        return new RedisRateLimiter(redis, tokenBucketScript(), configurationService);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static RedisScript<List<Long>> tokenBucketScript() {
        try {
            String lua = new ClassPathResource(SCRIPT).getContentAsString(StandardCharsets.UTF_8);
            return (RedisScript) RedisScript.of(lua, List.class);
        } catch (IOException e) {
            throw new UncheckedIOException("Spring Cloud Gateway's " + SCRIPT + " is missing", e);
        }
    }
}
